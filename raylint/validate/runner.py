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
from typing import Dict, Optional

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

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode == 0


def run_program(program: Path, *, cwd: Path, address: Optional[str], timeout: float, compare: str = "stdout",
                extra_env: Optional[Dict[str, str]] = None) -> Run:
    """Run `program` with `cwd` as working directory, attached to the cluster through RAY_ADDRESS."""
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
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(process)
        stdout, stderr = process.communicate()
        timed_out = True
    except BaseException:
        _kill_group(process)
        process.communicate()
        raise
    seconds = time.perf_counter() - started
    run = Run(seconds, None if timed_out else process.returncode, stdout, stderr, timed_out)
    if value_file is not None:
        _read_value(run, value_file)
    return run


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
