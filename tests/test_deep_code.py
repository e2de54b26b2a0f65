"""Valid code nested deeper than Python's default recursion limit never crashes a run: the file is
analysed on a deep stack, and only a file too deep even for that is reported, alone, by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from raylint import deep
from raylint.engine import LintOptions, lint_source
from raylint.fixing import FixPolicy, fix_text
from raylint.registry import all_rules

REMOTE = "import ray\n\n@ray.remote\ndef f():\n    return 1\n"
OPTIONS = LintOptions(enabled=frozenset(all_rules()))


def chain(terms: int) -> str:
    """A valid module with an `a + a + ...` of `terms` terms, then a remote function lacking resources (RAY003)."""
    return "import ray\na = 1\nx = " + " + ".join(["a"] * terms) + "\n\n@ray.remote\ndef f():\n    return 1\n"


def nested_blocks(depth: int) -> str:
    """`if` blocks nested `depth` deep around a `ray.get` in a loop (RAY001)."""
    lines = [REMOTE, "def g(x):"]
    for level in range(1, depth + 1):
        lines.append("    " * level + "if x:")
    lines.append("    " * (depth + 1) + "for i in range(3):")
    lines.append("    " * (depth + 2) + "x.append(ray.get(f.remote(i)))")
    return "\n".join(lines) + "\n"


def nested_calls(depth: int) -> str:
    return REMOTE + "y = " + "g(" * depth + "1" + ")" * depth + "\n"


def codes(result):
    return [(d.code, d.location.row) for d in result.diagnostics]


@pytest.mark.parametrize("terms", [1_000, 10_000])
def test_long_chains_are_analysed_with_findings_for_the_rest_of_the_file(terms):
    assert codes(lint_source(chain(terms), "/p/chain.py", OPTIONS, "chain")) == [("RAY003", 5)]


def test_deeply_nested_blocks_and_calls_are_analysed():
    source = nested_blocks(95)  # CPython allows fewer than 100 levels of indentation
    get_row = source.splitlines().index("    " * 97 + "x.append(ray.get(f.remote(i)))") + 1
    assert codes(lint_source(source, "/p/blocks.py", OPTIONS, "blocks")) == [("RAY003", 3), ("RAY001", get_row)]
    assert codes(lint_source(nested_calls(190), "/p/calls.py", OPTIONS, "calls")) == [("RAY003", 3)]


def test_a_file_too_deep_even_for_the_deep_stack_is_one_finding_naming_it(monkeypatch):
    monkeypatch.setattr(deep, "RECURSION_LIMIT", sys.getrecursionlimit())
    result = lint_source(chain(10_000), "/p/chain.py", OPTIONS, "chain")
    [finding] = result.diagnostics
    assert finding.code == "invalid-syntax" and "/p/chain.py" in finding.message
    assert "nested more than" in finding.message
    # the recursion limit is restored afterwards
    assert sys.getrecursionlimit() < 10_000


def test_fixing_a_long_chain_fixes_the_rest_and_the_result_parses():
    outcome = fix_text(chain(10_000), "/p/chain.py", OPTIONS, FixPolicy(unsafe=True), "chain")
    assert outcome.errors == []
    assert "num_cpus" in outcome.source and outcome.source.count(" + ") == 9_999
    deep.call(compile, outcome.source, "chain.py", "exec")  # the deep stack: plain compile() gives up too
    assert outcome.result.diagnostics == []


def _run(args, cwd):
    return subprocess.run([sys.executable, "-m", "raylint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, RAYLINT_CACHE_DIR=str(Path(cwd) / ".cache")))


def test_a_deep_file_next_to_a_file_with_a_finding(tmp_path):
    (tmp_path / "deep.py").write_text(chain(10_000))
    (tmp_path / "blocks.py").write_text(nested_blocks(95))
    (tmp_path / "other.py").write_text(REMOTE)
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": []}
    notebook = {"cells": [dict(cell, source=chain(10_000)), dict(cell, source=REMOTE)], "metadata": {},
                "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "deep.ipynb").write_text(json.dumps(notebook))
    completed = _run(["check", ".", "--output-format", "json"], tmp_path)
    assert completed.returncode == 1 and completed.stderr == ""
    found = {(Path(f["filename"]).name, f["code"], f["cell"]) for f in json.loads(completed.stdout)}
    assert found == {("deep.py", "RAY003", None), ("blocks.py", "RAY003", None), ("blocks.py", "RAY001", None),
                     ("other.py", "RAY003", None), ("deep.ipynb", "RAY003", 1), ("deep.ipynb", "RAY003", 2)}
    fixed = _run(["fix", "--apply", "--select", "RAY003", "."], tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    for name in ("deep.py", "blocks.py", "other.py"):
        text = (tmp_path / name).read_text()
        assert "num_cpus" in text
        deep.call(compile, text, name, "exec")
    assert _run(["check", ".", "--select", "RAY003"], tmp_path).returncode == 0


def test_a_fix_inside_a_statement_too_deep_for_libcst_is_dropped_with_a_reason():
    # libcst's parse time grows with the cube of the nesting: without the guard this takes many minutes
    terms = " + ".join(["a"] * 5_000)
    source = (REMOTE.replace("@ray.remote", "@ray.remote(num_cpus=1)") + "def g(a):\n    x = []\n"
              "    for i in range(3):\n        x.append(ray.get(f.remote(i + " + terms + ")))\n    return x\n")
    result = lint_source(source, "/p/deep_fix.py", OPTIONS, "deep_fix")
    assert [(d.code, d.fix) for d in result.diagnostics] == [("RAY001", None)]
    assert result.fix_errors == ("/p/deep_fix.py: RAY001 fix dropped: the code is nested more than 1000 levels "
                                 "deep, too deep to rewrite",)
