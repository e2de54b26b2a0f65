"""The pre-checks that let RAY003, RAY107 and RAY108 skip a body must never miss what the full walk sees."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from raylint.semantics.analysis import ModuleWalk
from raylint.semantics.context import _LINE_BREAK
from raylint.semantics.spelling import may_name
from raylint.semantics.unwalked import calls_inside

FIXTURES = Path(__file__).parent / "fixtures"

# every place a call can hide from ModuleWalk.calls, nested in a function
HIDDEN_CALLS = '''
def outer(items, holder):
    def annotated(a: items.cuda(), *rest: f(), b: g() = 1, **more: h()) -> k():
        return a
    class Inner(base()):
        field: kind() = value()
    holder.slots[holder.cuda()]: int
    moved: items.cuda() = items
    mapped = map(lambda x: x, items, key=key_of())
    return [y.cuda() for y in items if check(y)], (lambda: deep())()
'''


def _sources():
    yield "hidden_calls", HIDDEN_CALLS
    for path in sorted(FIXTURES.rglob("*.py")):
        yield path.name, path.read_text(encoding="utf-8")


def _functions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]


def _body(function):
    return function.body if isinstance(function.body, list) else [function.body]


@pytest.mark.parametrize("name,source", list(_sources()), ids=[name for name, _ in _sources()])
def test_calls_inside_holds_every_call_of_a_body(name, source):
    tree = ast.parse(source)
    walk = ModuleWalk(tree)
    for function in _functions(tree):
        expected = {id(n) for part in _body(function) for n in ast.walk(part) if isinstance(n, ast.Call)}
        found = {id(call) for call in calls_inside(walk, [function])}
        assert expected <= found, f"{name}:{function.lineno}"


def test_calls_inside_leaves_out_calls_outside_the_functions():
    tree = ast.parse(HIDDEN_CALLS + "\nafter = outside()\n")
    walk = ModuleWalk(tree)
    inner = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "annotated")
    found = {ast.unparse(call) for call in calls_inside(walk, [inner])}
    assert "outside()" not in found and "items.cuda()" not in found


@pytest.mark.parametrize("name,source", list(_sources()), ids=[name for name, _ in _sources()])
def test_may_name_is_true_for_every_name_read_in_a_definition(name, source):
    tree = ast.parse(source)
    lines = _LINE_BREAK.split(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for part in node.body:
                for child in ast.walk(part):
                    if isinstance(child, ast.Name):
                        assert may_name(lines, node, {child.id}), f"{name}:{child.lineno} {child.id}"


def test_may_name_reads_normalized_identifiers_and_rules_out_unspelled_ones():
    source = "def f():\n    return ＬＯＯＫＵＰ\n\ndef g():\n    return 'LOOKUP' + other\n"
    tree = ast.parse(source)
    lines = source.split("\n")
    first, second = tree.body
    assert may_name(lines, first, {"LOOKUP"})
    assert may_name(lines, second, {"LOOKUP"})  # spelled in a string: a false alarm, never a miss
    assert not may_name(lines, second, {"missing"})
    assert not may_name(lines, second, set())
