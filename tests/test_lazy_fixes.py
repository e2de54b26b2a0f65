"""`raylint check` plans fixes instead of building them: whether a fix exists, its applicability and its
title must be exactly what building it gives, on every fixture and golden file; only the edits are left
out. Commands and formats that print or apply edits still build them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from raylint.cli import main
from raylint.engine import LintOptions, lint_source
from raylint.registry import rule_classes

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted(
    path
    for folder in ("tests/fixtures", "tests/fix_fixtures", "examples")
    for path in (ROOT / folder).rglob("*.py")
)


def _fixes(source: str, path: str, plan: bool):
    options = LintOptions(enabled=frozenset(rule_classes()), plan_fixes=plan)
    result = lint_source(source, path, options)
    return [
        (d.code, d.location, d.fix is not None, d.fix and d.fix.applicability, d.fix and d.fix.message)
        for d in result.diagnostics
    ], result


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_planned_fixes_match_built_fixes(path):
    source = path.read_text(encoding="utf-8")
    built, _ = _fixes(source, str(path), plan=False)
    planned, result = _fixes(source, str(path), plan=True)
    assert planned == built
    # RAY900's directive removal is made by the engine, not by a fixer, and costs nothing to keep
    assert all(not d.fix.edits for d in result.diagnostics if d.fix is not None and d.code != "RAY900")


def test_the_plan_decides_without_building(monkeypatch):
    """The comparison above means something: with the builder broken, the plan alone still gives RAY001's
    comprehension fixes; the fix-safety cautions (untraced refs, concurrent actors) make some of them unsafe
    without building."""
    import raylint.rules.ray_get_in_loop as rule_module

    def broken(*args):
        raise AssertionError("built")

    monkeypatch.setattr(rule_module, "batch_gets", broken)
    planned = []
    for path in CORPUS:
        _, result = _fixes(path.read_text(encoding="utf-8"), str(path), plan=True)
        planned += [d.fix.applicability for d in result.diagnostics if d.code == "RAY001" and d.fix]
    assert len(planned) >= 10 and "safe" in planned and set(planned) <= {"safe", "unsafe"}


SOURCE = "import ray\n\n\n@ray.remote(num_cpus=1)\ndef f(x):\n    return x\n\n\nr = [ray.get(f.remote(x)) for x in range(3)]\n"


def test_check_marks_the_fix_without_building_edits_and_json_still_has_them(project):
    (project / "m.py").write_text(SOURCE)
    concise = CliRunner().invoke(main, ["check", "m.py", "--no-cache", "--output-format", "concise"])
    assert "RAY001 [*]" in concise.output
    report = CliRunner().invoke(main, ["check", "m.py", "--no-cache", "--output-format", "json"])
    (finding,) = json.loads(report.output)
    assert finding["fix"]["applicability"] == "safe" and finding["fix"]["edits"]


def _planned_with_the_builder_broken(monkeypatch, owner, builder: str, code: str):
    """The fixes `code` gets under `plan_fixes` when its builder (`owner.builder`) raises: each one was
    decided by the plan alone. Also the fixture cases (`RAYnnn/case`, goldens included) where the plan
    still had to build (a fix error each)."""

    def broken(*args, **kwargs):
        raise AssertionError("built")

    monkeypatch.setattr(owner, builder, broken)
    fixes, built_in = [], set()
    for path in CORPUS:
        _, result = _fixes(path.read_text(encoding="utf-8"), str(path), plan=True)
        fixes += [d.fix for d in result.diagnostics if d.code == code and d.fix is not None]
        case = f"{path.parent.name}/{path.name.split('.')[0]}"
        built_in |= {case for error in result.fix_errors if f" {code} " in error}
    return fixes, built_in


def test_ray001_plan_decides_loops_and_generators_without_building(monkeypatch):
    """`for` statements (append, keyed, bare) and generator expressions are planned too; only the layouts
    fixture's parenthesised callee or container and its comment after a `;` are left to the builder."""
    import raylint.rules.ray_get_in_loop as rule_module

    fixes, built_in = _planned_with_the_builder_broken(monkeypatch, rule_module, "batch_gets", "RAY001")
    titles = [fix.message for fix in fixes]
    assert sum(title.startswith("Extend `") for title in titles) >= 4
    assert sum(title.startswith("Fill `") for title in titles) >= 2
    assert any("`any()` could stop at an early result" in title for title in titles)
    assert len(fixes) >= 100 and {fix.applicability for fix in fixes} == {"safe", "unsafe"}
    assert built_in == {"RAY001/layouts"}


def test_ray002_plan_decides_without_building(monkeypatch):
    """Only puts that would go before a statement that does not start its line are left to the builder."""
    from raylint.fixers.large_arg_without_put import PutOnce

    fixes, built_in = _planned_with_the_builder_broken(monkeypatch, PutOnce, "_build", "RAY002")
    assert len(fixes) >= 90 and {fix.applicability for fix in fixes} == {"safe", "unsafe"}
    assert built_in == {"RAY002/no_fix", "RAY002/layouts"}


def test_ray004_plan_decides_without_building(monkeypatch):
    """Generated names, numbered when taken, come from the plan; a fan-out after a `;` is built."""
    import raylint.rules.tiny_task_fanout as rule_module

    fixes, built_in = _planned_with_the_builder_broken(monkeypatch, rule_module, "batch_fanout", "RAY004")
    assert len(fixes) >= 10 and {fix.applicability for fix in fixes} == {"unsafe"}
    assert any("one `double_batch_2` task per chunk" in fix.message for fix in fixes)
    assert built_in == {"RAY004/layouts"}


def test_ray005_plan_decides_without_building(monkeypatch):
    """Loader tasks (safe for remote URIs) and per-task loads come from the plan; a one-line task body and a
    parenthesised loader are built."""
    import raylint.rules.driver_side_loading as rule_module

    fixes, built_in = _planned_with_the_builder_broken(monkeypatch, rule_module, "load_in_tasks", "RAY005")
    assert len(fixes) >= 15 and {fix.applicability for fix in fixes} == {"safe", "unsafe"}
    assert any(fix.message.startswith("Pass the file path and slice bounds to") for fix in fixes)
    assert built_in == {"RAY005/layouts"}


def _fixes_planned_while_builder_raises(monkeypatch, rule_module, builder: str, code: str):
    """(the applicabilities of `code`'s fixes over the corpus, planned while the rule's builder raises;
    the files where the plan left the answer to the builder, once per finding)."""

    def broken(*args, **kwargs):
        raise AssertionError("built")

    monkeypatch.setattr(rule_module, builder, broken)
    planned, built = [], []
    for path in CORPUS:
        _, result = _fixes(path.read_text(encoding="utf-8"), str(path), plan=True)
        planned += [d.fix.applicability for d in result.diagnostics if d.code == code and d.fix]
        built += [path.relative_to(ROOT).as_posix() for error in result.fix_errors if "AssertionError: built" in error]
    return planned, built


def test_ray003_plan_decides_without_building(monkeypatch):
    """RAY003 (the most frequent finding): `num_cpus=1` on tasks (safe), `num_gpus=1` and a coordination
    actor's `num_cpus=0` (unsafe), all decided on the `ast`."""
    import raylint.rules.missing_resources as rule_module

    planned, built = _fixes_planned_while_builder_raises(monkeypatch, rule_module, "declare_resources", "RAY003")
    assert len(planned) >= 300 and set(planned) == {"safe", "unsafe"}
    assert built == []


def test_ray101_plan_decides_without_building(monkeypatch):
    """RAY101: `await ref` (safe), `asyncio.gather` with or without adding `import asyncio`, and the unsafe
    `asyncio.wait_for` and interleaving cases, all decided on the `ast`; only a `ray.get` inside an f-string
    (whose `ast` position older Pythons misplace) is left to the builder."""
    import raylint.rules.blocking_get_in_async as rule_module

    planned, built = _fixes_planned_while_builder_raises(monkeypatch, rule_module, "await_refs", "RAY101")
    assert len(planned) >= 20 and set(planned) == {"safe", "unsafe"}
    assert built == ["tests/fix_fixtures/RAY101/plan_edges.py"]


def test_ray102_plan_decides_without_building(monkeypatch):
    """RAY102: moving a definition out of its loop or task, safe or unsafe by the globals it reads."""
    import raylint.rules.remote_redefined_in_loop as rule_module

    planned, built = _fixes_planned_while_builder_raises(monkeypatch, rule_module, "hoist_definition", "RAY102")
    assert len(planned) >= 10 and set(planned) == {"safe", "unsafe"}
    assert built == []


def test_ray103_plan_decides_without_building(monkeypatch):
    """RAY103: returning the value and taking the task's own ref at every caller (always unsafe)."""
    import raylint.rules.task_returns_put_ref as rule_module

    planned, built = _fixes_planned_while_builder_raises(monkeypatch, rule_module, "return_value", "RAY103")
    assert len(planned) >= 3 and set(planned) == {"unsafe"}
    assert built == []


def test_ray104_plan_decides_without_building(monkeypatch):
    """RAY104: a `*refs` parameter and every call spreading its list (always unsafe)."""
    import raylint.rules.get_on_task_args as rule_module

    planned, built = _fixes_planned_while_builder_raises(monkeypatch, rule_module, "spread_refs", "RAY104")
    assert len(planned) >= 3 and set(planned) == {"unsafe"}
    assert built == []


def test_ray105_plan_decides_without_building(monkeypatch):
    """RAY105: passing the ref instead of its value, safe or unsafe by what the driver does before it
    waits again; an assignment sharing its line with another statement has no fix, decided on the `ast`;
    only one joined to the line above by a backslash is left to the builder."""
    import raylint.rules.unnecessary_get as rule_module

    planned, built = _fixes_planned_while_builder_raises(monkeypatch, rule_module, "pass_ref", "RAY105")
    assert len(planned) >= 20 and set(planned) == {"safe", "unsafe"}
    assert built == ["tests/fix_fixtures/RAY105/plan_edges.py", "tests/fix_fixtures/RAY105/plan_edges.unsafe.py"]


def test_ray106_plan_decides_without_building(monkeypatch):
    """RAY106: iterating over slices of the refs, in `for` statements and comprehensions (always unsafe)."""
    import raylint.rules.get_too_many_objects as rule_module

    planned, built = _fixes_planned_while_builder_raises(monkeypatch, rule_module, "fetch_in_batches", "RAY106")
    assert len(planned) >= 5 and set(planned) == {"unsafe"}
    assert built == []


def test_ray110_plan_decides_without_building(monkeypatch):
    """RAY110: a spawn context, with or without adding `import multiprocessing` (always unsafe); none when
    the module name is taken, decided on the `ast`."""
    import raylint.rules.fork_in_ray_process as rule_module

    planned, built = _fixes_planned_while_builder_raises(monkeypatch, rule_module, "use_spawn_context", "RAY110")
    assert len(planned) >= 10 and set(planned) == {"unsafe"}
    assert built == []


def test_plans_of_ray003_and_ray101_to_ray110_never_parse_with_libcst(monkeypatch):
    """Planning these rules' fixes over the whole corpus parses nothing with libcst (the cost `check` saves),
    except the cases their plans leave to the builder by design."""
    import libcst

    from raylint.fixers.lazy_cst import cst

    def no_libcst(*args, **kwargs):
        raise AssertionError("parsed with libcst")

    assert cst.Module is libcst.Module  # the fixers' stand-in has loaded libcst's names: patch both
    for module in (libcst, cst):
        monkeypatch.setattr(module, "parse_module", no_libcst)
        monkeypatch.setattr(module, "parse_expression", no_libcst)
    mine = frozenset({"RAY003", "RAY101", "RAY102", "RAY103", "RAY104", "RAY105", "RAY106", "RAY110"})
    parsed, fixes = [], 0
    for path in CORPUS:
        result = lint_source(path.read_text(encoding="utf-8"), str(path), LintOptions(enabled=mine, plan_fixes=True))
        fixes += sum(d.fix is not None for d in result.diagnostics)
        parsed += [path.relative_to(ROOT).as_posix() for error in result.fix_errors if "parsed with libcst" in error]
    assert fixes >= 400
    assert parsed == ["tests/fix_fixtures/RAY101/plan_edges.py", "tests/fix_fixtures/RAY105/plan_edges.py",
                      "tests/fix_fixtures/RAY105/plan_edges.unsafe.py"]


def _context_of(source):
    import ast as std_ast
    from types import SimpleNamespace

    return SimpleNamespace(source=source, tree=std_ast.parse(source))


@pytest.mark.parametrize("source, inside", [
    ('x = f"{ray.get(r)}"\n', True),
    ('x = ray.get(r)\ny = f"{z}"\n', False),
    ('def f():\n    return f"""\n    {ray.get(r)}\n    """\n', True),
    ('@deco(f"{ray.get(r)}")\ndef f():\n    pass\n', True),
])
def test_in_fstring_walks_one_statement_and_agrees_with_the_parent_map(source, inside):
    import ast as std_ast

    from raylint.fixers.planning import in_fstring

    context = _context_of(source)
    call = next(node for node in std_ast.walk(context.tree)
                if isinstance(node, std_ast.Call) and getattr(node.func, "attr", "") == "get")
    assert in_fstring(context, call) is inside


def test_in_fstring_asks_the_whole_file_when_a_row_is_misplaced():
    import ast as std_ast

    from raylint.fixers.planning import in_fstring

    context = _context_of('a = 1\nx = f"{ray.get(r)}"\n')
    call = next(node for node in std_ast.walk(context.tree) if isinstance(node, std_ast.Call))
    call.lineno = 1  # as an f-string's inner positions may be before Python 3.12
    assert in_fstring(context, call) is True
