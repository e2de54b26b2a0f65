"""The doctor's checks on snapshots built by hand (no Ray): each fires on its symptom and stays quiet
on the look-alikes (a dependency chain, a saturated cluster, a head without CPUs, a GPU task on a GPU
node); task rows missing the worker's events fall back to the owner's view; thresholds come from config."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from raylint.config import ConfigError, load_settings
from raylint.doctor import checks
from raylint.doctor.collect import Node, Snapshot, Task, _task, recent
from raylint.doctor.store_stats import StoreStats
from raylint.doctor.thresholds import Thresholds

HEAD, WORKER, GPU = "h" * 56, "w" * 56, "g" * 56
LIMITS = Thresholds()


def node(node_id, *, head=False, cpus=1.0, gpus=0.0):
    resources = {"memory": 1e9}
    if cpus:
        resources["CPU"] = cpus
    if gpus:
        resources["GPU"] = gpus
    if head:
        resources["node:__internal_head__"] = 1.0
    return Node(node_id, head, True, resources, "127.0.0.1", 1)


def task(name, start, end, *, created=None, state="FINISHED", node_id=WORKER, parent="driver", attempt=0,
         task_id=None, resources=None, kind="NORMAL_TASK", error=None, wait=None):
    return Task(task_id or f"{name}-{start}", attempt, name, kind, state, "01000000", parent, node_id,
                {"CPU": 1.0} if resources is None else resources, error, start if created is None else created,
                end, (start, end), "span", wait)


def snapshot(tasks=(), nodes=None, **kwargs):
    return Snapshot(nodes=nodes or [node(HEAD, head=True, cpus=0), node(WORKER, cpus=2)], tasks=list(tasks),
                    actors=kwargs.pop("actors", []), stores=kwargs.pop("stores", {}), objects=[],
                    available=kwargs.pop("available", {}), now_ms=1e6, **kwargs)


def codes(snap):
    return [s.code for s in checks.run_checks(snap, LIMITS)]


def serial(count, *, gap=1.0, created_at_once=False):
    tasks = []
    for i in range(count):
        start = i * (50 + gap)
        tasks.append(task("step", start, start + 50, created=0 if created_at_once else start - 0.5))
    return tasks


def test_tiny_tasks_fire_from_the_threshold_on():
    tiny = [task("double", i * 2.0, i * 2.0 + 0.2, parent=f"p{i}") for i in range(1000)]
    [symptom] = checks.tiny_tasks(snapshot(tiny), LIMITS)
    assert symptom.functions == ["double"]
    assert symptom.evidence[0].startswith("1,000 finished tasks of `double`, median run time 0.20 ms")
    assert checks.tiny_tasks(snapshot(tiny[:999]), LIMITS) == []
    slow = [task("work", i * 20.0, i * 20.0 + 15, parent=f"p{i}") for i in range(1000)]
    assert checks.tiny_tasks(snapshot(slow), LIMITS) == []


def test_get_in_a_loop_is_serialized_but_a_chain_submitted_at_once_is_not():
    [symptom] = checks.serialized_tasks(snapshot(serial(25)), LIMITS)
    assert "0 overlapping run intervals, 24 of 24 submitted only after the previous one ended" in symptom.evidence[0]
    assert "at most 1 of 2 CPUs" in symptom.evidence[1]
    assert checks.serialized_tasks(snapshot(serial(25, created_at_once=True)), LIMITS) == []
    assert checks.serialized_tasks(snapshot(serial(19)), LIMITS) == []


def test_serial_tasks_on_a_saturated_cluster_are_not_reported():
    one_cpu = [node(HEAD, head=True, cpus=0), node(WORKER, cpus=1)]
    assert checks.serialized_tasks(snapshot(serial(25), nodes=one_cpu), LIMITS) == []


def test_overlapping_tasks_are_not_serialized():
    tasks = serial(25)
    tasks[5] = task("step", tasks[4].run[0] + 10, tasks[4].run[0] + 60, created=tasks[4].run[0] + 9)
    assert checks.serialized_tasks(snapshot(tasks), LIMITS) == []


def test_store_pressure_judges_each_node():
    full = StoreStats(84_000_000, 100_000_000, 0, 0, 0)
    empty = StoreStats(0, 100_000_000, 0, 0, 0)
    [symptom] = checks.store_pressure(snapshot(stores={HEAD: empty, WORKER: full}), LIMITS)
    assert symptom.evidence == ["worker node wwwwwwww: in use now 80.1 MiB of 95.4 MiB (84%), above 80%"]
    spilled = StoreStats(0, 100_000_000, 167_773_176, 4, 0)
    [symptom] = checks.store_pressure(snapshot(stores={HEAD: spilled}), LIMITS)
    assert "160.0 MiB spilled to disk in 4 objects since the node started" in symptom.evidence[0]
    assert checks.store_pressure(snapshot(stores={HEAD: StoreStats(50_000_000, 100_000_000, 0, 0, 0)}), LIMITS) == []


def test_pending_args_over_the_threshold():
    waited = task("consume", 0, 1, wait=4600.0)
    quick = task("other", 0, 1, wait=200.0)
    [symptom] = checks.pending_args(snapshot([waited, quick]), LIMITS)
    assert symptom.functions == ["consume"]
    assert symptom.evidence == ["1 tasks of `consume` waited more than 3 s for their arguments, longest 4.6 s"]


def test_head_node_work_only_when_the_head_declares_cpus():
    ran = [task("double", 0, 1, node_id=HEAD), task("driver", 0, 1, node_id=HEAD, kind="DRIVER_TASK")]
    assert checks.head_node_work(snapshot(ran), LIMITS) == []
    busy_head = [node(HEAD, head=True, cpus=1), node(WORKER)]
    [symptom] = checks.head_node_work(snapshot(ran, nodes=busy_head), LIMITS)
    assert symptom.evidence[:2] == ["head node hhhhhhhh declares 1 CPU", "1 task attempts ran on it (`double` 1)"]
    assert checks.head_node_work(snapshot([task("double", 0, 1)], nodes=busy_head), LIMITS) == []


def test_retries_and_restarts():
    attempts = [task("once", 0, 1, state="FAILED", task_id="t", error="WORKER_DIED"),
                task("once", 2, 3, attempt=1, task_id="t")]
    actors = [SimpleNamespace(class_name="Flaky", num_restarts=2, node_id=WORKER, state="DEAD", resources={})]
    [symptom] = checks.retries_restarts(snapshot(attempts, actors=actors), LIMITS)
    assert symptom.evidence == ["`once`: 1 tasks retried 1 times (failed attempts: WORKER_DIED 1)",
                                "actor `Flaky`: 1 actor(s) restarted 2 time(s)"]
    assert checks.retries_restarts(snapshot([task("once", 0, 1)]), LIMITS) == []


def test_gpu_nodes_running_cpu_work_and_idle_gpus_with_gpu_work_waiting():
    nodes = [node(HEAD, head=True, cpus=0), node(WORKER), node(GPU, gpus=1)]
    cpu_work = task("preprocess", 0, 1, node_id=GPU)
    gpu_work = task("train", 0, 1, node_id=GPU, resources={"GPU": 1.0})
    assert checks.idle_gpus(snapshot([gpu_work], nodes=nodes), LIMITS) == []
    [symptom] = checks.idle_gpus(snapshot([cpu_work, gpu_work], nodes=nodes), LIMITS)
    assert symptom.functions == ["preprocess"]
    waiting = task("train", 0, 1, state="PENDING_NODE_ASSIGNMENT", node_id=None, resources={"GPU": 2.0})
    [symptom] = checks.idle_gpus(snapshot([waiting], nodes=nodes, available={"GPU": 1.0}), LIMITS)
    assert symptom.evidence == ["1 GPUs free now while 1 tasks and 0 actors that need GPUs wait for a node"]
    assert checks.idle_gpus(snapshot([cpu_work]), LIMITS) == []
    only_gpu_nodes = [node(HEAD, head=True, cpus=0), node(GPU, gpus=1)]
    assert checks.idle_gpus(snapshot([cpu_work], nodes=only_gpu_nodes), LIMITS) == []


def test_a_healthy_snapshot_reports_nothing():
    tasks = [task("work", i * 5.0, i * 5.0 + 20, created=0) for i in range(30)]
    assert codes(snapshot(tasks, stores={WORKER: StoreStats(0, 100_000_000, 0, 0, 0)})) == []


def row(**fields):
    base = dict(task_id="t", attempt_number=0, func_or_class_name="f", name="f", type="NORMAL_TASK",
                state="FINISHED", job_id="01000000", parent_task_id="p", node_id=WORKER, required_resources={},
                error_type=None, creation_time_ms=1000, start_time_ms=None, end_time_ms=1012, profiling_data=None,
                events=[{"state": "PENDING_ARGS_AVAIL", "created_ms": 1000.0},
                        {"state": "PENDING_NODE_ASSIGNMENT", "created_ms": 1001.0},
                        {"state": "SUBMITTED_TO_WORKER", "created_ms": 1003.0},
                        {"state": "FINISHED", "created_ms": 1012.0}])
    base.update(fields)
    return SimpleNamespace(**base)


def test_task_rows_fall_back_when_the_worker_events_were_lost():
    lost = _task(row(), now_ms=2000)
    assert (lost.run, lost.run_source, lost.args_wait_ms) == ((1003.0, 1012.0), "upper-bound", 1.0)
    timed = _task(row(start_time_ms=1004, profiling_data={"events": [
        {"event_name": "task:execute", "start_time": 1004.2, "end_time": 1004.3},
        {"event_name": "task::f", "start_time": 1004.1, "end_time": 1004.4}]}), now_ms=2000)
    assert (timed.run, timed.run_source) == ((1004.1, 1004.4), "span")
    waiting = _task(row(state="PENDING_ARGS_AVAIL", end_time_ms=None,
                        events=[{"state": "PENDING_ARGS_AVAIL", "created_ms": 1000.0}]), now_ms=6000)
    assert (waiting.args_wait_ms, waiting.still_waiting_for_args, waiting.run) == (5000.0, True, None)


def test_thresholds_from_config(tmp_path):
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.raylint.doctor]\ntiny-task-count = 50\npending-args-seconds = 1.5\n")
    assert load_settings(config).doctor == Thresholds(tiny_task_count=50, pending_args_seconds=1.5)


@pytest.mark.parametrize("body, message", [
    ("tiny-task-count = 0", "doctor.tiny-task-count: got 0, expected a positive integer"),
    ("tiny-task-count = 1.5", "doctor.tiny-task-count: got 1.5, expected a positive integer"),
    ('store-usage-percent = "80"', "doctor.store-usage-percent: got '80', expected a positive number"),
    ("tiny-tasks = 5", "doctor.tiny-tasks: unknown key; expected one of largest-objects"),
])
def test_bad_thresholds_are_one_clear_config_error(tmp_path, body, message):
    config = tmp_path / "pyproject.toml"
    config.write_text(f"[tool.raylint.doctor]\n{body}\n")
    with pytest.raises(ConfigError, match="pyproject.toml") as error:
        load_settings(config)
    assert message in str(error.value)


def test_every_check_has_a_docs_page_and_every_threshold_is_documented():
    from raylint.doctor.thresholds import KEYS

    docs = Path(__file__).resolve().parent.parent / "docs"
    overview = (docs / "doctor" / "index.md").read_text(encoding="utf-8")
    configuration = (docs / "configuration.md").read_text(encoding="utf-8")
    for number in range(1, 8):
        code = f"DOC00{number}"
        assert (docs / "doctor" / f"{code}.md").is_file()
        assert f"[{code}]({code}.md)" in overview
    for key in KEYS:
        assert f"{key} = " in overview and f"`{key}`" in configuration


def test_since_keeps_attempts_that_ended_or_started_recently():
    old = task("old", 0, 1000)
    new = task("new", 50_000, 59_000)
    running = task("running", 55_000, None, state="RUNNING")
    assert [t.name for t in recent([old, new, running], now_ms=60_000, since_s=10)] == ["new", "running"]
