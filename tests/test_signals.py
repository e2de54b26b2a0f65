"""Ctrl-C and termination: one line, exit 130 (143 for SIGTERM), never a traceback, nothing half-written,
and no worker process outliving its parent, even one killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc") or os.name != "posix", reason="needs Linux /proc")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    """Enough files that a `--jobs 2` check runs for several seconds."""
    project = tmp_path_factory.mktemp("big")
    blob = "\n".join(path.read_text() for path in sorted(EXAMPLES.glob("*.py")))
    for index in range(300):
        (project / f"m{index:03d}.py").write_text(blob)
    return project


def _start(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "raylint", *args], cwd=project, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _signals_caught(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("SigCgt:"):
                return int(line.split()[1], 16)
    return 0


def _wait_for_handlers(process: subprocess.Popen) -> None:
    """Until raylint.entry has installed its handlers: Python itself never catches SIGTERM."""
    deadline = time.monotonic() + 30
    while not _signals_caught(process.pid) & (1 << (signal.SIGTERM - 1)):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.002)


def _children(pid: int):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in (b"Z", b"X"):
                found.append(int(entry))
    return found


def _alive(pids):
    alive = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in (b"Z", b"X"):
            alive.append(pid)
    return alive


def _wait_for_workers(process: subprocess.Popen, count: int = 2):
    deadline = time.monotonic() + 60
    while len(_children(process.pid)) < count:
        assert time.monotonic() < deadline and process.poll() is None, process.stderr.read()
        time.sleep(0.05)
    return _children(process.pid)


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.05, 0.15])
def test_ctrl_c_during_start_up_imports(big_project, delay):
    process = _start(big_project, "check", "--no-cache", "--jobs", "2", ".")
    _wait_for_handlers(process)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (130, "raylint: interrupted\n")


def test_ctrl_c_while_workers_run_ends_them_too(big_project):
    process = _start(big_project, "check", "--no-cache", "--jobs", "2", ".")
    workers = _wait_for_workers(process)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (130, "raylint: interrupted\n")
    _assert_gone(workers)


def test_sigterm_of_the_parent(big_project):
    process = _start(big_project, "check", "--no-cache", "--jobs", "2", ".")
    workers = _wait_for_workers(process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (143, "raylint: terminated\n")
    _assert_gone(workers)


def test_workers_exit_on_their_own_when_the_parent_is_killed(big_project):
    process = _start(big_project, "check", "--no-cache", "--jobs", "2", ".")
    workers = _wait_for_workers(process)
    process.kill()
    process.wait(timeout=10)
    _assert_gone(workers)


def _assert_gone(pids, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    leftover = _alive(pids)
    for pid in leftover:  # only our own workers; never leave them running even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert leftover == []


def test_interrupted_fix_leaves_every_file_original_or_fully_fixed(tmp_path):
    originals = {}
    fixed = {}
    source = (EXAMPLES / "ray003_missing_resources.py").read_text()
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "one.py").write_text(source)
    subprocess.run([sys.executable, "-m", "raylint", "fix", "--apply", "--no-cache", "--select", "RAY003", "."],
                   cwd=reference, capture_output=True, timeout=120)
    fixed_text = (reference / "one.py").read_text()
    assert fixed_text != source
    project = tmp_path / "project"
    project.mkdir()
    for index in range(120):
        path = project / f"f{index:03d}.py"
        path.write_text(source)
        originals[path] = source
        fixed[path] = fixed_text
    process = _start(project, "fix", "--apply", "--no-cache", "--select", "RAY003", "--jobs", "2", ".")
    _wait_for_handlers(process)
    time.sleep(1.5)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr
    assert process.returncode in (0, 130)  # 0: it had finished
    for path in originals:
        assert path.read_text() in (originals[path], fixed[path])
    assert sorted(p.name for p in project.iterdir()) == sorted(p.name for p in originals)
