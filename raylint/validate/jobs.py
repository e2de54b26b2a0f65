"""Running a program as a Ray Job through the Jobs API, for `raylint validate --submit URL`: the
program's directory is the job's working_dir, and time and output come from the job itself."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

from raylint.validate.cluster import ClusterError
from raylint.validate.runner import Run

_POLL_S = 0.25
_EXCLUDES = [".git", "__pycache__", ".raylint_cache", ".venv"]
# The dashboard answers before its job agent is up (on a cluster that just started): wait for it, bounded.
AGENT_STARTING = "No available agent to submit job"
AGENT_WAIT_S = 60.0
_AGENT_RETRY_S = 1.0


def submit_when_ready(client, url: str, wait_s: Optional[float] = None, **job) -> str:
    """`client.submit_job(**job)`, retried while the Jobs API has no agent yet; any other refusal, or no
    agent after `wait_s` seconds (default AGENT_WAIT_S), is a ClusterError with one line for the user."""
    wait_s = AGENT_WAIT_S if wait_s is None else wait_s
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return client.submit_job(**job)
        except Exception as error:  # noqa: BLE001 - the Jobs API signals everything with plain exceptions
            if AGENT_STARTING not in str(error):
                raise ClusterError(f"the Jobs API at {url} refused the job: {_one_line(error)}") from None
            if time.monotonic() >= deadline:
                raise ClusterError(f"the Jobs API at {url} still had no agent to run jobs after {wait_s:g} s; "
                                   "is the cluster's dashboard agent running?") from None
        time.sleep(_AGENT_RETRY_S)


def _one_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


class JobsExecutor:
    """Submits each run as a job and waits for it; `run(path, cwd)` matches the local executor."""

    def __init__(self, url: str, timeout: float):
        from ray.job_submission import JobSubmissionClient  # needs ray[default]

        self.url = url
        self.client = JobSubmissionClient(url)
        self.timeout = timeout

    def __call__(self, program: Path, cwd: Path) -> Run:
        from ray.job_submission import JobStatus

        entrypoint = f"python {program.relative_to(cwd).as_posix()}"
        runtime_env = {"working_dir": str(cwd), "excludes": _EXCLUDES,
                       "env_vars": {"RAY_USAGE_STATS_ENABLED": "0", "PYTHONUNBUFFERED": "1"}}
        started = time.perf_counter()
        job_id = submit_when_ready(self.client, self.url, entrypoint=entrypoint, runtime_env=runtime_env)
        terminal = {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.STOPPED}
        status = self.client.get_job_status(job_id)
        while status not in terminal:
            if time.perf_counter() - started > self.timeout:
                self.client.stop_job(job_id)
                return Run(time.perf_counter() - started, None, "", "", timed_out=True)
            time.sleep(_POLL_S)
            status = self.client.get_job_status(job_id)
        info = self.client.get_job_info(job_id)
        logs = self.client.get_job_logs(job_id)
        if info.start_time and info.end_time:
            seconds = (info.end_time - info.start_time) / 1000.0
        else:
            seconds = time.perf_counter() - started
        returncode = 0 if status == JobStatus.SUCCEEDED else (getattr(info, "driver_exit_code", None) or 1)
        return Run(seconds, returncode, logs, "" if returncode == 0 else logs)
