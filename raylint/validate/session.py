"""One `raylint validate` session: get a cluster, validate each program, and always clean up, also on
Ctrl-C, SIGTERM or an error: the local cluster is stopped and the fixed copies are removed."""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from raylint.validate.cluster import Cluster, ClusterError, LocalCluster
from raylint.validate.harness import Options, ProgramReport, validate_program


class ValidationError(Exception):
    """Validation could not run at all (no cluster, no Jobs API); one line for the user."""


@dataclass(frozen=True)
class Request:
    repeat: int = 3
    timeout: float = 600.0
    compare: str = "stdout"
    safe_only: bool = False
    address: Optional[str] = None
    submit_url: Optional[str] = None
    workers: int = 2
    cpus_per_worker: int = 1


class JobsCluster(Cluster):
    """A cluster reached only through its dashboard: resources are asked with a small job."""

    def __init__(self, executor):
        super().__init__(address="", dashboard_url=None)
        self.executor = executor

    def resources(self) -> Dict[str, float]:
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            probe = Path(directory) / "probe.py"
            probe.write_text("import json, ray\nray.init()\nprint(json.dumps(ray.cluster_resources()))\n")
            run = self.executor(probe, Path(directory))
        for line in reversed(run.stdout.splitlines()):
            if line.startswith("{"):
                return json.loads(line)
        raise ClusterError("could not read the cluster's resources through the Jobs API")


def run(programs: Sequence[Path], request: Request,
        progress: Optional[Callable[[str], None]] = None) -> Tuple[List[ProgramReport], str]:
    options = Options(request.repeat, request.timeout, request.compare, request.safe_only)
    with _sigterm_as_interrupt():
        cluster, executor, shape = _cluster(request, progress)
        try:
            reports = [validate_program(Path(p), cluster, options, executor, progress) for p in programs]
        except ClusterError as error:
            raise ValidationError(str(error)) from None
        finally:
            if progress and isinstance(cluster, LocalCluster):
                progress("stopping the local cluster")
            cluster.stop()
    return reports, f"{machine()}; {shape}"


def _cluster(request: Request, progress):
    if request.submit_url:
        try:
            from raylint.validate.jobs import JobsExecutor

            executor = JobsExecutor(request.submit_url, request.timeout)
        except ImportError:
            raise ValidationError("--submit needs the Jobs API: pip install 'raylint[ray]' (ray[default])") from None
        except Exception as error:  # noqa: BLE001 - any connection failure is the user's to see, in one line
            raise ValidationError(f"cannot reach the Jobs API at {request.submit_url}: {error}") from None
        return JobsCluster(executor), executor, f"jobs submitted to {request.submit_url}"
    if request.address:
        return Cluster(request.address), None, f"existing cluster at {request.address}"
    if progress:
        progress(f"starting a local cluster: a head with no CPUs and {request.workers} worker node(s) of "
                 f"{request.cpus_per_worker} CPU(s)")
    try:
        cluster = LocalCluster.start(request.workers, request.cpus_per_worker)
    except ClusterError as error:
        raise ValidationError(str(error)) from None
    shape = f"local cluster: head (0 CPUs) + {request.workers} worker node(s) x {request.cpus_per_worker} CPU"
    return cluster, None, shape


def machine() -> str:
    try:
        ray_version = importlib.metadata.version("ray")
    except importlib.metadata.PackageNotFoundError:
        ray_version = "not installed"
    return (f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, ray {ray_version}")


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM unwinds like Ctrl-C, so the `finally` blocks stop what was started."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    # The `raylint` command's own handler (raylint.entry) already unwinds on SIGTERM, and exits 143.
    if signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None):
        yield
        return
    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = ["Request", "ValidationError", "run", "machine"]
