"""`raylint doctor` against real local clusters the test starts (free ports for every service, the
dashboard included, its own temp dir) and stops exactly: a healthy control on a head without CPUs must
come back clean, then one symptomatic cluster (head with one CPU, 100 MB object stores, a worker that
claims a GPU) where each small driver in tests/doctor_drivers/ induces the symptom its check reports."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs the ray extra")

DRIVERS = Path(__file__).resolve().parent / "doctor_drivers"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ray004_tiny_task_fanout.py"
STORE_BYTES = 100_000_000


def free_port():
    from raylint.validate.cluster import free_port

    return free_port()


def _env(cluster, **extra):
    from raylint.validate.cluster import ray_environment

    env = ray_environment(cluster.env)
    env["RAY_ADDRESS"] = cluster.address
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def run_driver(cluster, name, *args):
    completed = subprocess.run([sys.executable, str(DRIVERS / name), *map(str, args)], capture_output=True,
                               text=True, timeout=180, env=_env(cluster))
    assert completed.returncode == 0, f"{name}: {completed.stderr[-2000:]}"
    return completed


def doctor_cli(cluster, *args, **env):
    return subprocess.run([sys.executable, "-m", "raylint", "doctor", *args], capture_output=True, text=True,
                          timeout=180, env=_env(cluster, **env))


def stop_exactly(cluster):
    from raylint.validate.cluster import live_processes

    groups = cluster.process_groups
    cluster.stop()
    assert live_processes(groups) == []


def test_healthy_cluster_with_a_head_without_cpus_reports_nothing():
    from raylint.validate.cluster import LocalCluster

    cluster = LocalCluster.start(workers=1, cpus_per_worker=1, dashboard=True, object_store_bytes=STORE_BYTES)
    try:
        run_driver(cluster, "healthy.py")
        completed = doctor_cli(cluster, "--address", cluster.address)
    finally:
        stop_exactly(cluster)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.startswith(f"raylint doctor: no symptoms found on the cluster at {cluster.address}.")


@pytest.fixture(scope="module")
def sick(tmp_path_factory):
    """The symptomatic cluster after every driver has run; yields (cluster, the example's source dir)."""
    from raylint.validate.cluster import LocalCluster

    work = tmp_path_factory.mktemp("doctor")
    source = work / "src"
    source.mkdir()
    shutil.copy(EXAMPLE, source / EXAMPLE.name)
    cluster = LocalCluster.start(workers=1, cpus_per_worker=1, dashboard=True, object_store_bytes=STORE_BYTES,
                                 head_cpus=1, head_object_store_bytes=STORE_BYTES, gpus_per_worker=1)
    waiting = None
    try:
        # alone, so the serial loop's CPU accounting sees only its own tasks and the fan-out's
        run_driver(cluster, "tiny_example.py", source / EXAMPLE.name, 1500)
        run_driver(cluster, "get_in_loop.py")
        # the rest side by side; the GPU-hungry driver keeps running, so its task is pending when the doctor looks
        waiting = subprocess.Popen([sys.executable, str(DRIVERS / "gpu_work_pending.py")], env=_env(cluster),
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        drivers = [("overflow_store.py",), ("crash_once.py", work / "crashed"), ("wait_for_args.py",),
                   ("cpu_work_on_gpu_node.py",)]
        running = [subprocess.Popen([sys.executable, str(DRIVERS / d[0]), *map(str, d[1:])], env=_env(cluster),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for d in drivers]
        for driver, process in zip(drivers, running):
            out, err = process.communicate(timeout=180)
            assert process.returncode == 0, f"{driver[0]}: {err[-2000:]}"
        assert waiting.stdout.readline().strip() == "submitted"
        yield cluster, source
    finally:
        if waiting is not None:
            waiting.kill()
            waiting.wait()
        stop_exactly(cluster)


@pytest.fixture(scope="module")
def diagnosis(sick):
    from raylint.doctor.run import diagnose

    cluster, _ = sick
    saved = os.environ.get("RAY_ADDRESS")
    os.environ.update({"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"})
    try:
        result = diagnose(cluster.address)
    finally:
        # diagnose pins RAY_ADDRESS in this process; leave the test session as it was
        if saved is None:
            os.environ.pop("RAY_ADDRESS", None)
        else:
            os.environ["RAY_ADDRESS"] = saved
    return {symptom.code: symptom for symptom in result.symptoms}


def number(pattern, text):
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return float(found.group(1).replace(",", ""))


def test_every_check_fires(diagnosis):
    assert sorted(diagnosis) == ["DOC001", "DOC002", "DOC003", "DOC004", "DOC005", "DOC006", "DOC007"]


def test_doc001_tiny_tasks(diagnosis):
    symptom = diagnosis["DOC001"]
    assert symptom.functions == ["double"]
    assert number(r"([\d,]+) finished tasks of `double`", symptom.evidence[0]) == 1500
    assert number(r"median run time ([\d.]+) ms", symptom.evidence[0]) < 10


def test_doc002_get_in_a_loop(diagnosis):
    symptom = diagnosis["DOC002"]
    assert symptom.functions == ["step"]
    assert "25 finished tasks of `step`" in symptom.evidence[0]
    assert "0 overlapping run intervals, 24 of 24 submitted only after the previous one ended" in symptom.evidence[0]
    assert number(r"at most ([\d.]+) of", symptom.evidence[1]) < number(r"of ([\d.]+) CPUs", symptom.evidence[1])


def test_doc003_spilled_store(diagnosis):
    spilled = [line for line in diagnosis["DOC003"].evidence if "spilled to disk" in line]
    assert spilled and "since the node started" in spilled[0]
    assert number(r"([\d.]+) MiB spilled", spilled[0]) >= 40


def test_doc004_waiting_for_arguments(diagnosis):
    symptom = diagnosis["DOC004"]
    assert symptom.functions == ["consume"]
    assert number(r"longest ([\d.]+) s", symptom.evidence[0]) >= 3.5


def test_doc005_head_node_work(diagnosis):
    symptom = diagnosis["DOC005"]
    assert "declares 1 CPU" in symptom.evidence[0]
    assert number(r"`double` ([\d,]+)", symptom.evidence[1]) > 0
    assert "step" in symptom.functions


def test_doc006_retries_and_restarts(diagnosis):
    evidence = "\n".join(diagnosis["DOC006"].evidence)
    assert "`once`: 1 tasks retried 1 times (failed attempts: WORKER_DIED 1)" in evidence
    assert "actor `Flaky`: 1 actor(s) restarted 1 time(s)" in evidence


def test_doc007_gpu_node(diagnosis):
    evidence = "\n".join(diagnosis["DOC007"].evidence)
    assert "1 GPUs free now while 1 tasks" in evidence
    assert number(r"`preprocess` ([\d,]+)", evidence) == 5
    assert {"train", "preprocess"} <= set(diagnosis["DOC007"].functions)


def test_source_joins_tiny_tasks_to_the_example_ray004_line_and_address_wins_over_ray_address(sick):
    cluster, source = sick
    completed = doctor_cli(cluster, "--address", cluster.address, "--source", str(source), "--output-format", "json",
                           RAY_ADDRESS=f"127.0.0.1:{free_port()}")
    assert completed.returncode == 1, completed.stderr
    [tiny] = [entry for entry in json.loads(completed.stdout) if entry["code"] == "DOC001"]
    rows = [(Path(loc["filename"]).name, loc["row"], loc["note"].split(" ")[0]) for loc in tiny["locations"]]
    assert rows[0][:2] == (EXAMPLE.name, 13)  # `def double`
    assert (EXAMPLE.name, 19, "RAY004") in rows  # the comprehension submitting it
    assert {"code", "symptom", "evidence", "cause", "fix", "locations"} <= set(tiny)


def test_dead_address_exits_2_with_one_line():
    from raylint.validate.cluster import ray_environment

    dead = f"127.0.0.1:{free_port()}"
    completed = subprocess.run([sys.executable, "-m", "raylint", "doctor", "--address", dead], capture_output=True,
                               text=True, timeout=60, env=ray_environment())
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.strip().splitlines() == [
        f"raylint doctor: cannot reach a Ray cluster at {dead}: Connection refused"]
