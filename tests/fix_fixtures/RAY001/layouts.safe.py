"""Layouts a fix's plan must judge exactly as the builder does (tests/test_lazy_fixes.py)."""

import ray


@ray.remote
def square(x):
    return x * x


def parenthesised(xs):
    values = (ray.get([square.remote(x) for x in xs]))
    spelled = (ray.get)([square.remote(x) for x in xs])
    return values, spelled


def one_line_loop(xs):
    out = []
    out.extend(ray.get([square.remote(x) for x in xs]))
    return out


def parenthesised_list(xs):
    out = []
    (out).extend(ray.get([square.remote(x) for x in xs]))
    return out


def parenthesised_dict(xs):
    table = {}
    table_refs = {x: square.remote(x) for x in xs}
    (table).update(zip(table_refs, ray.get(list(table_refs.values()))))
    return table


def comment_after_semicolon(xs):
    n = len(xs); values = ray.get(  # one at a time
        [square.remote(x) for x in xs])
    return n, values


def generators(xs):
    alive = any(ray.get(square.remote(x)) for x in xs)
    first = next(ray.get(square.remote(x)) for x in xs)
    lazy = (ray.get(square.remote(x)) for x in xs)
    return alive, first, lazy
