"""The collector settings raylint changes while it lints a file are restored however the file ends."""

import gc

import pytest

from raylint import engine, heap
from raylint.engine import LintOptions

BIG = "import ray\n\n" + "".join(f"x{i} = [ray.get(f.remote(v)) for v in range(3)]\n" for i in range(6000))


def test_parse_restores_the_collector_after_a_syntax_error():
    assert gc.isenabled()
    with pytest.raises(SyntaxError):
        heap.parse("def broken(:\n", "broken.py")
    assert gc.isenabled()


def test_parse_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        heap.parse("x = 1\n", "ok.py")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_big_file_gives_the_same_tree_when_memory_is_released():
    assert len(BIG) >= heap._TRIM_FROM_CHARS
    import ast

    assert ast.dump(heap.parse(BIG, "big.py")) == ast.dump(ast.parse(BIG))


def test_the_collector_runs_again_after_a_lint():
    source = BIG[:2000].rsplit("\n", 1)[0] + "\n"
    result = engine.lint_source(source, "small.py", LintOptions(enabled=frozenset({"RAY001"}), plan_fixes=True))
    assert len(result.diagnostics) == source.count("ray.get")
    assert gc.isenabled()


def test_the_collector_runs_again_when_a_rule_fails(monkeypatch):
    from raylint.rules.ray_get_in_loop import RayGetInLoop

    def fail(self):
        raise RuntimeError("rule bug")

    monkeypatch.setattr(RayGetInLoop, "run", fail)
    with pytest.raises(RuntimeError):
        engine.lint_source("import ray\nray.get(1)\n", "x.py", LintOptions(enabled=frozenset({"RAY001"})))
    assert gc.isenabled()


def test_a_caller_that_paused_the_collector_finds_it_paused():
    gc.disable()
    try:
        engine.lint_source("import ray\nray.get(1)\n", "x.py", LintOptions(enabled=frozenset({"RAY001"})))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_linted_files_tree_is_not_kept_alive(monkeypatch):
    """The fixers cache facts per tree while the file's fixes are built; none outlives the lint."""
    import weakref

    trees = []
    parse = heap.parse

    def keep_a_weak_reference(source, filename):
        tree = parse(source, filename)
        trees.append(weakref.ref(tree))
        return tree

    monkeypatch.setattr(heap, "parse", keep_a_weak_reference)
    source = "import ray\n\n@ray.remote\ndef f(x):\n    return x\n\nrefs = [ray.get(f.remote(x)) for x in range(9)]\n"
    result = engine.lint_source(source, "fixable.py", LintOptions(enabled=frozenset({"RAY001", "RAY003"})))
    assert [d.fix is not None and bool(d.fix.edits) for d in result.diagnostics] == [True, True]
    gc.collect()
    assert trees and trees[0]() is None


def test_a_linted_files_tree_is_freed_without_the_cyclic_collector(monkeypatch):
    """Scopes and bindings refer to each other; once the file is done they let go, so the whole analysis
    is freed by reference counting rather than by a full collection over millions of objects."""
    import weakref

    trees = []
    parse = heap.parse

    def keep_a_weak_reference(source, filename):
        tree = parse(source, filename)
        trees.append(weakref.ref(tree))
        return tree

    monkeypatch.setattr(heap, "parse", keep_a_weak_reference)
    source = ("import ray\n\n@ray.remote\ndef f(x):\n    global seen\n    seen = x\n    return x\n\n"
              "def run(xs):\n    return [ray.get(f.remote(x)) for x in xs]\n")
    gc.disable()
    try:
        result = engine.lint_source(source, "plain.py", LintOptions(enabled=frozenset({"RAY001", "RAY108"}),
                                                                   plan_fixes=True))
        assert {d.code for d in result.diagnostics} == {"RAY001", "RAY108"}
        assert trees and trees[0]() is None
    finally:
        gc.enable()

