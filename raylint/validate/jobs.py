"""Running a program as a Ray Job through the Jobs API, for `raylint validate --submit URL`: the
program's directory is the job's working_dir, and time and output come from the job itself."""

from __future__ import annotations

import time
from pathlib import Path

from raylint.validate.runner import Run

_POLL_S = 0.25
_EXCLUDES = [".git", "__pycache__", ".raylint_cache", ".venv"]


class JobsExecutor:
    """Submits each run as a job and waits for it; `run(path, cwd)` matches the local executor."""

    def __init__(self, url: str, timeout: float):
        from ray.job_submission import JobSubmissionClient  # needs ray[default]

        self.client = JobSubmissionClient(url)
        self.timeout = timeout

    def __call__(self, program: Path, cwd: Path) -> Run:
        from ray.job_submission import JobStatus

        entrypoint = f"python {program.relative_to(cwd).as_posix()}"
        runtime_env = {"working_dir": str(cwd), "excludes": _EXCLUDES,
                       "env_vars": {"RAY_USAGE_STATS_ENABLED": "0", "PYTHONUNBUFFERED": "1"}}
        started = time.perf_counter()
        job_id = self.client.submit_job(entrypoint=entrypoint, runtime_env=runtime_env)
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
