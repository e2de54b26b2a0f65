"""Layouts a fix's plan must judge exactly as the builder does (tests/test_lazy_fixes.py)."""

import ray


@ray.remote
def double(x):
    return x * 2


@ray.remote
def triple(x):
    return x * 3


def name_taken_in_the_function():
    # the batch task's usual name is a local here: the task gets another
    double_batch = "local"
    refs = [(double.remote(x)) for x in range(20_000)]
    return ray.get(refs), double_batch


def after_a_semicolon():
    n = 20_000; refs = [triple.remote(x) for x in range(n)]
    return ray.get(refs)
