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


def test_a_worker_reuses_what_the_parser_freed_instead_of_trimming(monkeypatch):
    import ctypes

    trims, settings = [], []

    class FakeLibc:
        def mallopt(self, parameter, value):
            settings.append((parameter, value))

    monkeypatch.setattr(heap, "_release_free_memory", lambda: trims.append(1))
    monkeypatch.setattr(ctypes, "CDLL", lambda name: FakeLibc())
    monkeypatch.setattr(heap, "_trims", True)
    heap.parse(BIG, "big.py")
    assert trims == [1]
    heap.reuse_freed_memory()
    heap.parse(BIG, "big.py")
    assert trims == [1]  # no second trim
    assert settings == [(heap._M_TRIM_THRESHOLD, heap._KEEP_FREED_BYTES),
                        (heap._M_MMAP_THRESHOLD, heap._MMAP_FROM_BYTES)]


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


def _weak_trees(monkeypatch):
    """A weak reference to every tree `heap.parse` gives from now on, in order."""
    import weakref

    trees = []
    parse = heap.parse

    def keep_a_weak_reference(source, filename):
        tree = parse(source, filename)
        trees.append(weakref.ref(tree))
        return tree

    monkeypatch.setattr(heap, "parse", keep_a_weak_reference)
    return trees


def test_a_linted_files_tree_is_not_kept_alive(monkeypatch):
    """The fixers cache facts per tree while the file's fixes are built; none outlives the lint."""
    trees = _weak_trees(monkeypatch)
    source = "import ray\n\n@ray.remote\ndef f(x):\n    return x\n\nrefs = [ray.get(f.remote(x)) for x in range(9)]\n"
    result = engine.lint_source(source, "fixable.py", LintOptions(enabled=frozenset({"RAY001", "RAY003"})))
    assert [d.fix is not None and bool(d.fix.edits) for d in result.diagnostics] == [True, True]
    gc.collect()
    assert trees and trees[0]() is None


def test_a_linted_files_tree_is_freed_without_the_cyclic_collector(monkeypatch):
    """Scopes and bindings refer to each other; once the file is done they let go, so the whole analysis
    is freed by reference counting rather than by a full collection over millions of objects."""
    trees = _weak_trees(monkeypatch)
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



@pytest.fixture
def ending_fast(monkeypatch):
    """The process as the `raylint` command that ends fast; undone after the test (kept objects let go)."""
    monkeypatch.setattr(heap, "_is_command", True)
    heap.exit_fast()
    yield
    heap.stop_keeping()
    gc.unfreeze()


def _linted_tree(monkeypatch, source, options):
    trees = _weak_trees(monkeypatch)
    result = engine.lint_source(source, "kept.py", options)
    gc.collect()
    return result, trees[0]


_FINDINGS = "import ray\n\n@ray.remote\ndef f(x):\n    return x\n\nrefs = [ray.get(f.remote(x)) for x in range(9)]\n"


def test_a_command_that_ends_fast_keeps_the_tree_instead_of_freeing_it(monkeypatch, ending_fast):
    result, tree = _linted_tree(monkeypatch, _FINDINGS, LintOptions(enabled=frozenset({"RAY001"}), plan_fixes=True))
    assert [d.code for d in result.diagnostics] == ["RAY001"]
    assert tree() is not None
    assert heap.ends_fast()


def test_past_its_budget_or_with_many_findings_a_file_is_freed(monkeypatch, ending_fast):
    options = LintOptions(enabled=frozenset({"RAY001"}), plan_fixes=True)
    heap._keep_budget = len(_FINDINGS) - 1  # the fixture's teardown resets it
    assert _linted_tree(monkeypatch, _FINDINGS, options)[1]() is None
    heap.exit_fast()
    monkeypatch.setattr(heap, "KEEP_MAX_FINDINGS", 1)
    assert _linted_tree(monkeypatch, _FINDINGS, options)[1]() is None


def test_a_library_call_never_keeps_even_when_asked_to_end_fast(monkeypatch):
    heap.exit_fast()  # not the `raylint` command: nothing ends this process after the call
    result, tree = _linted_tree(monkeypatch, _FINDINGS, LintOptions(enabled=frozenset({"RAY001"})))
    assert tree() is None and not heap.ends_fast()


def test_the_command_flushes_its_whole_report_before_ending_fast(tmp_path):
    """`check` ends with os._exit: a long report through a pipe still arrives whole, with the exit code."""
    import json
    import subprocess
    import sys

    lines = ["import ray", "", "@ray.remote(num_cpus=1)", "def f(x):", "    return x", ""]
    lines += [f"r{i} = [ray.get(f.remote(x)) for x in range({i + 2})]" for i in range(300)]
    (tmp_path / "many.py").write_text("\n".join(lines) + "\n")
    done = subprocess.run([sys.executable, "-m", "raylint", "check", "many.py", "--no-cache", "--output-format",
                           "json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert len(json.loads(done.stdout)) == 300


def _module_of_functions(count):
    parts = ["import ray\n"]
    for i in range(count):
        parts.append(f"\n\n@ray.remote(num_cpus=1)\ndef f{i}(x):\n    text = '''\ndef fake{i}():\n'''\n    return (x +\n{i})\n")
        parts.append(f"\n\nif x{i}:\n    pass\nelse:\n    y = [\n1]\n")
    return "".join(parts)


def test_a_big_module_parsed_in_pieces_gives_the_whole_files_tree(monkeypatch):
    import ast

    monkeypatch.setattr(heap, "SPLIT_FROM_CHARS", 0)
    monkeypatch.setattr(heap, "PIECE_CHARS", 200)
    source = _module_of_functions(40)
    assert len(heap._piece_starts(source)) > 10
    assert ast.dump(heap.parse(source, "m.py"), include_attributes=True) == ast.dump(ast.parse(source),
                                                                                      include_attributes=True)


def test_pieces_start_at_top_level_statements_after_a_blank_line(monkeypatch):
    monkeypatch.setattr(heap, "PIECE_CHARS", 200)
    source = _module_of_functions(40)
    lines = source.split("\n")
    starts = heap._piece_starts(source)
    assert len(starts) > 10
    for offset, row in starts[1:]:
        line = lines[row - 1]
        assert source.startswith(line, offset) and line.startswith("@ray.remote") and lines[row - 2] == ""


TRAPS = [
    'text = """\n\ndef fake():\n"""\n',  # a cut inside a string
    "x = (a\n\n@ b)\n",  # inside brackets (a matrix product)
    "y = 2 + \\\n\nimport os\n",  # after a backslash (not Python)
    "z = 0\n@decorator\n\ndef decorated():\n    pass\n",  # between a decorator and its def
]


@pytest.mark.parametrize("trap", TRAPS)
def test_a_cut_in_the_wrong_place_fails_its_piece_and_the_whole_file_is_parsed(monkeypatch, trap):
    """The cuts come from a text search; a wrong one makes the piece before it a syntax error, so the
    module is parsed whole: the tree (or the error) is always the whole file's."""
    import ast

    monkeypatch.setattr(heap, "SPLIT_FROM_CHARS", 0)
    monkeypatch.setattr(heap, "PIECE_CHARS", 50)
    source = "\n".join(["import ray\n", "x = 1\n" * 20, trap, "\ndef after():\n    return 1\n"])
    assert any(source.startswith(("def fake", "@ b)", "import os", "def decorated"), offset)
               for offset, _ in heap._piece_starts(source))
    assert heap._parse_in_pieces(source, "m.py") is None
    try:
        whole = ast.dump(ast.parse(source), include_attributes=True)
    except SyntaxError as error:
        with pytest.raises(SyntaxError) as pieces:
            heap.parse(source, "m.py")
        assert (pieces.value.msg, pieces.value.lineno) == (error.msg, error.lineno)
    else:
        assert ast.dump(heap.parse(source, "m.py"), include_attributes=True) == whole


def test_a_module_with_lone_carriage_returns_is_parsed_whole(monkeypatch):
    monkeypatch.setattr(heap, "SPLIT_FROM_CHARS", 0)
    monkeypatch.setattr(heap, "PIECE_CHARS", 10)
    assert heap._parse_in_pieces(_module_of_functions(5).replace("if x0:", "z = 1\rif x0:"), "m.py") is None


@pytest.mark.parametrize("tail, message", [
    ("\ndef broken(:\n    pass\n", "invalid syntax"),
    ("\nx = (\n", "was never closed"),
])
def test_a_syntax_error_in_a_piece_is_the_whole_files_error(monkeypatch, tail, message):
    import ast

    monkeypatch.setattr(heap, "SPLIT_FROM_CHARS", 0)
    monkeypatch.setattr(heap, "PIECE_CHARS", 200)
    source = _module_of_functions(10) + tail
    with pytest.raises(SyntaxError) as whole:
        ast.parse(source, "m.py")
    with pytest.raises(SyntaxError) as pieces:
        heap.parse(source, "m.py")
    assert (pieces.value.msg, pieces.value.lineno, pieces.value.offset) == (
        whole.value.msg, whole.value.lineno, whole.value.offset)
    assert message in pieces.value.msg


def test_a_module_with_future_imports_is_parsed_whole(monkeypatch):
    monkeypatch.setattr(heap, "SPLIT_FROM_CHARS", 0)
    monkeypatch.setattr(heap, "PIECE_CHARS", 10)
    assert heap._parse_in_pieces("from __future__ import annotations\n" + _module_of_functions(5), "m.py") is None
