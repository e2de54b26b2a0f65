"""The one walk over a module records every call where it sits, in the order it meets them (rules depend on the
order), whatever node the call hides in; the calls grouped by the attribute they call keep that order."""

from __future__ import annotations

import ast

from raylint.semantics.analysis import ModuleWalk
from raylint.semantics.ray_names import RayNames

SOURCE = '''\
@deco(a())
def f(p, /, q=b(), *args, k=c(), **kw) -> d():
    return e().x.remote(g(key=h()), *i(), **j())

async def run():
    await k(l().remote())
    m(), n()
    print(f"{o()}", [p() for _ in q() if r()], lambda: s())
    list(map(lambda v: t(v).remote(), u()))
    x[w()] = y().remote
'''


def _names(calls):
    return [ast.unparse(site.node.func) for site in calls]


def test_calls_are_recorded_in_walk_order_wherever_they_sit():
    walk = ModuleWalk(ast.parse(SOURCE))
    assert _names(walk.calls) == [
        "deco", "a", "b", "c", "d", "e().x.remote", "e", "g", "h", "i", "j",
        "k", "l().remote", "l", "m", "n", "print", "o", "q", "r", "p", "s",  # clauses before the element
        "list", "map", "u", "t(v).remote", "t", "y", "w",  # an assigned value before its target
    ]


def test_the_calls_of_an_attribute_remote_are_found_in_the_same_order():
    walk = ModuleWalk(ast.parse(SOURCE))
    grouped = RayNames(walk).calls_of("remote")
    remote_calls = [site for site in grouped if getattr(site.node.func, "attr", None) == "remote"]
    assert remote_calls == [site for site in walk.calls if getattr(site.node.func, "attr", None) == "remote"]
    assert _names(remote_calls) == ["e().x.remote", "l().remote", "t(v).remote"]


def test_each_call_knows_its_scope_and_loops():
    walk = ModuleWalk(ast.parse(SOURCE))
    where = {_names([site])[0]: site for site in walk.calls}
    assert where["b"].scope.kind == "module" and where["c"].scope.kind == "module"  # defaults: outside f
    assert where["g"].scope.kind == "function"
    assert where["q"].scope.kind == "function" and where["p"].scope.kind == "comprehension"
    assert [loop.kind for loop in where["r"].loops] == ["comprehension"]
    assert where["t(v).remote"].scope.kind == "lambda" and [loop.kind for loop in where["t"].loops] == ["map"]


def test_parameters_are_bound_in_signature_order():
    walk = ModuleWalk(ast.parse(SOURCE))
    function = walk.definitions[0]
    assert list(function.body_scope.bindings) == ["p", "q", "k", "args", "kw"]
    assert all(bindings[0].kind == "param" for bindings in function.body_scope.bindings.values())
