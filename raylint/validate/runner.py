"""Running one version of a program as its own process against the cluster, with a time limit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional

from raylint.validate.cluster import ray_environment

# Runs `main()` of the program (its `if __name__ == "__main__":` block stays off) and pickles the result.
_RETURN_DRIVER = """\
import pickle, runpy, sys
namespace = runpy.run_path(sys.argv[1], run_name="__raylint_validate__")
if "main" not in namespace:
    sys.exit("raylint validate --compare return: the program defines no main()")
value = namespace["main"]()
with open(sys.argv[2], "wb") as handle:
    pickle.dump(value, handle)
"""


@dataclass
class Run:
    """One run of one version: wall time, output, and what went wrong if anything did."""

    seconds: float
    returncode: Optional[int]
    stdout: str
    stderr: str
    timed_out: bool = False
    value: object = None
    value_error: Optional[str] = None
    # why the run was stopped before its time limit: what it waits for can never be scheduled
    unschedulable: Optional[str] = None

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.unschedulable is None and self.returncode == 0


def run_program(program: Path, *, cwd: Path, address: Optional[str], timeout: float, compare: str = "stdout",
                extra_env: Optional[Dict[str, str]] = None,
                watch: Optional[Callable[[], Optional[str]]] = None) -> Run:
    """Run `program` with `cwd` as working directory, attached to the cluster through RAY_ADDRESS.
    `watch`, called about once a second, stops the run early with the reason it returns."""
    env = ray_environment(extra_env)
    if address:
        env["RAY_ADDRESS"] = address
    env["PYTHONUNBUFFERED"] = "1"
    value_file = None
    command = [sys.executable, str(program)]
    if compare == "return":
        handle, value_file = tempfile.mkstemp(prefix="raylint-value-", suffix=".pickle")
        os.close(handle)
        command = [sys.executable, "-c", _RETURN_DRIVER, str(program), value_file]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=str(cwd), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    unschedulable = None
    try:
        stdout, stderr, timed_out, unschedulable = _communicate(process, started + timeout, watch)
    except BaseException:
        _kill_group(process)
        process.communicate()
        raise
    seconds = time.perf_counter() - started
    stopped = timed_out or unschedulable is not None
    run = Run(seconds, None if stopped else process.returncode, stdout, stderr, timed_out, unschedulable=unschedulable)
    if value_file is not None:
        _read_value(run, value_file)
    return run


def _communicate(process: subprocess.Popen, deadline: float, watch):
    """(stdout, stderr, timed out, unschedulable reason): wait for the process, asking `watch` once a
    second; a timeout or a reason kills the process group."""
    while True:
        step = min(1.0, deadline - time.perf_counter()) if watch is not None else deadline - time.perf_counter()
        try:
            stdout, stderr = process.communicate(timeout=max(step, 0.01))
            return stdout, stderr, False, None
        except subprocess.TimeoutExpired:
            pass
        if time.perf_counter() >= deadline:
            _kill_group(process)
            stdout, stderr = process.communicate()
            return stdout, stderr, True, None
        reason = watch()
        if reason is not None:
            _kill_group(process)
            stdout, stderr = process.communicate()
            return stdout, stderr, False, reason


def _read_value(run: Run, value_file: str) -> None:
    import pickle

    try:
        if run.ok:
            with open(value_file, "rb") as handle:
                run.value = pickle.load(handle)
    except Exception as error:  # noqa: BLE001 - any unpickling problem is reported, not raised
        run.value_error = f"cannot read main()'s return value: {type(error).__name__}: {error}"
    finally:
        try:
            os.unlink(value_file)
        except OSError:
            pass


def _kill_group(process: subprocess.Popen) -> None:
    """The program and everything it started (its driver-side workers die with their raylet anyway)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
