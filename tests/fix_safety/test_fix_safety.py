"""Safe fixes keep behaviour: every program in traps/ and controls/ runs before and after
`raylint fix --apply` (safe fixes only) on one local Ray cluster, and the driver prints the same.
A control must also have been fixed. See README.md in this folder for the contract."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).parent
KINDS = ("traps", "controls")
PROGRAMS = sorted(path.relative_to(HERE) for kind in KINDS for path in (HERE / kind).glob("*.py"))
EXPECT = re.compile(r"^#\s*fix-safety:\s*expect\s+(.+)$", re.MULTILINE)
RUN_TIMEOUT_S = 180
# programs at once: each driver is a process of its own; the cluster's two CPUs are shared
PARALLEL_RUNS = 4
# RAY900's fix (removing an unused `noqa`) is safe too, but the rule is off by default
FIX_ARGS = ["--no-cache", "--extend-select", "RAY900"]


def _raylint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "raylint", *args], capture_output=True, text=True, timeout=300)


def _findings(root: Path) -> dict:
    """path relative to `root` -> the codes raylint reports there."""
    completed = _raylint("check", "--output-format", "json", *FIX_ARGS, str(root))
    assert completed.returncode in (0, 1), completed.stderr
    found: dict = {}
    for finding in json.loads(completed.stdout):
        found.setdefault(str(Path(finding["filename"]).resolve().relative_to(root.resolve())), []).append(
            finding["code"])
    return found


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Two copies of every program: `original/` as written and `fixed/` after the safe fixes."""
    root = tmp_path_factory.mktemp("fix-safety")
    for version in ("original", "fixed"):
        for program in PROGRAMS:
            (root / version / program).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(HERE / program, root / version / program)
    completed = _raylint("fix", "--apply", *FIX_ARGS, str(root / "fixed"))
    assert completed.returncode in (0, 1), completed.stderr
    return root


@pytest.fixture(scope="module")
def findings(workspace):
    """The codes raylint reports per program, before and after the fixes."""
    return _findings(workspace / "original"), _findings(workspace / "fixed")


@pytest.fixture(scope="module")
def second_fix(workspace):
    """The diff a second `raylint fix` over the fixed copies would make (nothing, when fixes are idempotent)."""
    completed = _raylint("fix", *FIX_ARGS, str(workspace / "fixed"))
    assert completed.returncode in (0, 1), completed.stderr
    return completed.stdout


def _changed(workspace: Path, program: Path) -> bool:
    return (workspace / "fixed" / program).read_bytes() != (workspace / "original" / program).read_bytes()


@pytest.fixture(scope="module")
def runs(workspace):
    """(stdout, stderr, exit code) of every program on one local cluster: the original, and the fixed
    version when the fix changed it (an unchanged file behaves the same without being run twice)."""
    pytest.importorskip("ray")
    from raylint.validate.cluster import LocalCluster, ray_environment

    jobs = [workspace / "original" / program for program in PROGRAMS]
    jobs += [workspace / "fixed" / program for program in PROGRAMS if _changed(workspace, program)]
    cluster = LocalCluster.start(workers=2, cpus_per_worker=1)
    try:
        env = ray_environment({**cluster.env, "RAY_ADDRESS": cluster.address})

        def run(path: Path):
            completed = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                                       timeout=RUN_TIMEOUT_S, env=env, cwd=path.parent)
            return completed.stdout, completed.stderr, completed.returncode

        with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
            results = dict(zip(jobs, pool.map(run, jobs)))
    finally:
        cluster.stop()
    return results


def test_every_kind_has_programs():
    for kind in KINDS:
        assert list((HERE / kind).glob("*.py")), f"no programs in {kind}/"


@pytest.mark.parametrize("program", PROGRAMS, ids=[str(p) for p in PROGRAMS])
def test_fixed_program_parses_and_a_second_fix_changes_nothing(workspace, second_fix, program):
    ast.parse((workspace / "fixed" / program).read_text(encoding="utf-8"))
    headers = [line for line in second_fix.splitlines() if line.startswith("--- ")]
    assert not [line for line in headers if line.endswith(str(program))], second_fix


@pytest.mark.parametrize("program", [p for p in PROGRAMS if p.parts[0] == "controls"],
                         ids=[str(p) for p in PROGRAMS if p.parts[0] == "controls"])
def test_control_gets_its_safe_fix(workspace, findings, program):
    source = (workspace / "original" / program).read_text(encoding="utf-8")
    assert (workspace / "fixed" / program).read_text(encoding="utf-8") != source, "the safe fix was not applied"
    expected = [code.strip() for line in EXPECT.findall(source) for code in line.split(",")]
    if expected:
        before, after = (found.get(str(program), []) for found in findings)
        for code in expected:
            assert after.count(code) < before.count(code), f"{code} was not fixed"


@pytest.mark.parametrize("program", PROGRAMS, ids=[str(p) for p in PROGRAMS])
def test_safe_fixes_keep_the_driver_output(workspace, runs, program):
    from raylint.validate.compare import driver_lines, stdout_difference

    out, err, code = runs[workspace / "original" / program]
    assert code == 0, f"the original program must run cleanly:\n{err[-2000:]}"
    assert driver_lines(out), "the program must print something to compare"
    if not _changed(workspace, program):
        return  # no safe fix applies: the very same program
    fixed_out, fixed_err, fixed_code = runs[workspace / "fixed" / program]
    assert fixed_code == 0, f"the fixed program failed:\n{fixed_err[-2000:]}"
    assert stdout_difference(out, fixed_out) is None, stdout_difference(out, fixed_out)
