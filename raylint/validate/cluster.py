"""The Ray cluster a validation runs against: one raylint starts (and stops, exactly), or the user's.

A started cluster is shaped like a production one: a head node that runs no tasks plus worker nodes,
each a `ray start --block` child in its own process group, so stopping it never touches any other Ray
process on the machine (`ray stop` would kill them all).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

READY_TIMEOUT_S = 180
STOP_TIMEOUT_S = 20
DEFAULT_OBJECT_STORE_BYTES = 1 << 30
HEAD_OBJECT_STORE_BYTES = 256 << 20


class ClusterError(Exception):
    """The cluster could not be started or reached; one line, for the user."""


def ray_environment(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment of every Ray process and program the harness starts: no usage statistics."""
    env = dict(os.environ)
    env["RAY_USAGE_STATS_ENABLED"] = "0"
    # `python` in a job's entrypoint, and Ray's own workers, use this interpreter and its packages
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("RAY_ADDRESS", None)
    if extra:
        env.update(extra)
    return env


def ray_executable() -> str:
    """The `ray` command installed beside the running interpreter."""
    candidate = Path(sys.executable).with_name("ray")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ray")
    if found is None:
        raise ClusterError("the `ray` command was not found; pip install 'raylint[ray]'")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _node_ports() -> List[str]:
    """Free ports for every server a node starts. Ray's fixed defaults (the dashboard agent's 52365, the
    metrics port...) collide with any other cluster on the machine: the second node's agent then never
    comes up, and the Jobs API answers "No available agent to submit job" for ever."""
    ports = [f"--{name}={free_port()}" for name in (
        "node-manager-port", "object-manager-port", "metrics-export-port", "dashboard-agent-listen-port",
        "dashboard-agent-grpc-port", "runtime-env-agent-port")]
    return ports + ["--min-worker-port=0", "--max-worker-port=0"]  # 0: workers bind ports the OS picks


@dataclass
class Cluster:
    """Where programs run: `address` goes into their RAY_ADDRESS."""

    address: str
    dashboard_url: Optional[str] = None
    # extra environment for every process that talks to this cluster
    env: Dict[str, str] = field(default_factory=dict)

    def resources(self) -> Dict[str, float]:
        """The cluster's total resources, asked through a short-lived driver."""
        code = (
            "import json, ray; ray.init(address=%r, logging_level='ERROR', log_to_driver=False); "
            "print(json.dumps(ray.cluster_resources())); ray.shutdown()" % self.address
        )
        completed = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=ray_environment(self.env)
        )
        if completed.returncode != 0:
            raise ClusterError(f"cannot reach the Ray cluster at {self.address}: {_last_line(completed.stderr)}")
        return json.loads(completed.stdout.strip().splitlines()[-1])

    def stop(self) -> None:
        """An existing cluster is the user's: nothing to stop."""


@dataclass
class LocalCluster(Cluster):
    """A head (no CPUs) plus worker nodes started with `ray start --block`; stop() ends exactly those."""

    processes: List[subprocess.Popen] = field(default_factory=list)
    temp_dir: Optional[str] = None

    @classmethod
    def start(cls, workers: int = 2, cpus_per_worker: int = 1, *, dashboard: bool = False,
              object_store_bytes: int = DEFAULT_OBJECT_STORE_BYTES, head_cpus: int = 0,
              head_object_store_bytes: int = HEAD_OBJECT_STORE_BYTES, gpus_per_worker: int = 0,
              ) -> "LocalCluster":
        """`raylint validate` uses the defaults; `raylint doctor`'s tests shape a cluster with symptoms
        (a head with CPUs, a small store, a node claiming a GPU)."""
        ray = ray_executable()
        # a short private temp dir: Ray's unix socket paths must stay under ~100 characters
        temp_dir = tempfile.mkdtemp(prefix="rl-", dir="/tmp" if os.path.isdir("/tmp") else None)
        # our own throwaway cluster: a token file in the user's home must not switch on auth
        cluster = cls(address="", temp_dir=temp_dir, env={"RAY_AUTH_MODE": "disabled"})

        def start_head() -> None:
            """`ray start --head` on fresh ports, the cluster's address and dashboard pointed at it."""
            port = free_port()
            cluster.address = f"127.0.0.1:{port}"
            head = [ray, "start", "--head", "--block", f"--port={port}", f"--num-cpus={head_cpus}", "--num-gpus=0",
                    f"--object-store-memory={head_object_store_bytes}", f"--temp-dir={temp_dir}",
                    f"--ray-client-server-port={free_port()}", "--disable-usage-stats", *_node_ports()]
            if dashboard:
                dashboard_port = free_port()
                cluster.dashboard_url = f"http://127.0.0.1:{dashboard_port}"
                head += ["--include-dashboard=true", "--dashboard-host=127.0.0.1", f"--dashboard-port={dashboard_port}"]
            else:
                head += ["--include-dashboard=false"]
            cluster._spawn(head)

        try:
            cluster._start_node(start_head, 1)
            worker = [ray, "start", "--block", f"--address={cluster.address}", f"--num-cpus={cpus_per_worker}",
                      f"--num-gpus={gpus_per_worker}", f"--object-store-memory={object_store_bytes}",
                      f"--temp-dir={temp_dir}", "--disable-usage-stats"]
            for index in range(workers):
                # one node at a time: nodes starting together on one machine time out registering
                cluster._start_node(lambda: cluster._spawn([*worker, *_node_ports()]), 2 + index)
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _start_node(self, spawn: Callable[[], None], count: int) -> None:
        """`spawn` a node and wait until `count` nodes are alive. Ray gives a node 30 s to start and register
        ("timed out during startup"), which a loaded machine may miss: then once more (`spawn` takes fresh
        ports)."""
        spawn()
        try:
            self._wait_for_nodes(count)
        except ClusterError:
            self._discard_last()
            spawn()
            self._wait_for_nodes(count)

    def _spawn(self, command: List[str]) -> None:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=ray_environment(self.env),
            start_new_session=True,  # its own process group: stop() signals exactly this tree
        )
        self.processes.append(process)

    def _discard_last(self) -> None:
        """Forget the last `ray start`, which failed, after killing whatever it left in its group."""
        process = self.processes.pop()
        _signal_group(process.pid, signal.SIGKILL)
        _wait_until_gone([process.pid], 5)
        process.wait(timeout=5)
        if process.stderr:
            process.stderr.close()

    def _wait_for_nodes(self, count: int) -> None:
        """Poll until `count` nodes are alive; a `ray start` that exits early is an error."""
        code = (
            "import ray, sys; ray.init(address=%r, logging_level='ERROR', log_to_driver=False); "
            "print(sum(1 for n in ray.nodes() if n['Alive'])); ray.shutdown()" % self.address
        )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                    raise ClusterError(f"`ray start` exited with code {process.returncode}: {_last_line(error)}")
            completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       timeout=120, env=ray_environment(self.env))
            lines = completed.stdout.strip().splitlines()
            if completed.returncode == 0 and lines and lines[-1].isdigit() and int(lines[-1]) >= count:
                return
            time.sleep(0.5)
        raise ClusterError(f"the local Ray cluster did not start {count} node(s) within {READY_TIMEOUT_S} s")

    def stop(self) -> None:
        """SIGTERM each `ray start --block` (that cleans up its node), then SIGKILL its group's stragglers."""
        groups = [process.pid for process in self.processes]
        # SIGTERM to each `ray start` alone (workers first): it drains and stops its node in seconds,
        # while signalling the whole group at once makes the drain time out
        for process in reversed(self.processes):
            try:
                process.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
        if not _wait_until_gone(groups, STOP_TIMEOUT_S):
            for pgid in groups:
                _signal_group(pgid, signal.SIGKILL)
            _wait_until_gone(groups, 5)
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            if process.stderr:
                process.stderr.close()
        self.processes.clear()
        if self.temp_dir:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            self.temp_dir = None

    @property
    def process_groups(self) -> List[int]:
        return [process.pid for process in self.processes]


def live_processes(groups) -> List[int]:
    """Pids of running (not zombie) processes in the given process groups."""
    wanted = set(groups)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        state, pgid = fields[0], int(fields[2])
        if pgid in wanted and state not in (b"Z", b"X"):
            found.append(int(entry))
    return found


def _wait_until_gone(groups, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not live_processes(groups):
            return True
        time.sleep(0.2)
    return not live_processes(groups)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
