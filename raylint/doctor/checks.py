"""The playbook's checks DOC001-DOC007: each reads a Snapshot and returns the symptoms it sees, with the
numbers as evidence, the likely cause and the fix. No Ray here: the checks are plain functions of rows."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from raylint.doctor.collect import Snapshot, Task
from raylint.doctor.thresholds import Thresholds

RUNNABLE = ("NORMAL_TASK", "ACTOR_CREATION_TASK", "ACTOR_TASK")
# Whole-ms timestamps from two processes disagree by a millisecond or two (end is stamped at the owner).
CLOCK_SLACK_MS = 2.0


@dataclass
class Location:
    filename: str
    row: int
    note: str = ""


@dataclass
class Symptom:
    code: str
    name: str
    symptom: str
    evidence: List[str]
    cause: str
    fix: str
    # remote functions / actor classes named in the task events, for the join to the source
    functions: List[str] = field(default_factory=list)
    # static rules that find the cause in code
    related_rules: Tuple[str, ...] = ()
    # what the cluster could not show (retention, lost events), said rather than guessed
    caveats: List[str] = field(default_factory=list)
    locations: List[Location] = field(default_factory=list)


def _finished_tasks(snapshot: Snapshot) -> Dict[str, List[Task]]:
    grouped: Dict[str, List[Task]] = defaultdict(list)
    for task in snapshot.tasks:
        if task.type == "NORMAL_TASK" and task.state == "FINISHED":
            grouped[task.name].append(task)
    return grouped


def _sources(tasks: Sequence[Task]) -> str:
    counts = Counter(t.run_source for t in tasks if t.run_source)
    labels = {"span": "worker spans", "start-end": "whole-ms start..end",
              "upper-bound": "submitted..end upper bounds (worker events lost)"}
    return ", ".join(f"{labels[source]} of {n:,}" for source, n in counts.most_common())


def tiny_tasks(snapshot: Snapshot, limits: Thresholds) -> List[Symptom]:
    """DOC001: many finished tasks of one function that each run for a few milliseconds at most."""
    found = []
    for name, tasks in sorted(_finished_tasks(snapshot).items()):
        count = len(tasks)
        timed = [t.run[1] - t.run[0] for t in tasks if t.run]
        if count < limits.tiny_task_count or not timed:
            continue
        median = statistics.median(timed)
        if median >= limits.tiny_task_median_ms:
            continue
        at_least = "at least " if any(t.job_id in snapshot.cut_jobs for t in tasks) else ""
        found.append(Symptom(
            "DOC001", "tiny-tasks", f"`{name}`: {at_least}{count:,} tiny tasks",
            [f"{at_least}{count:,} finished tasks of `{name}`, median run time {median:.2f} ms "
             f"(threshold {limits.tiny_task_count:,} tasks under {limits.tiny_task_median_ms:g} ms)",
             f"timed from {_sources(tasks)}"],
            "each task costs about a millisecond of scheduling, serialization and event reporting, more than "
            "its work: the coordination tax, and an event storm for the GCS and dashboard",
            "batch the elements: one task per chunk of many elements (RAY004 finds the fan-out)",
            [name], ("RAY004",),
        ))
    return found


def serialized_tasks(snapshot: Snapshot, limits: Thresholds) -> List[Symptom]:
    """DOC002: one caller's tasks of one function ran strictly one after another while CPUs were free."""
    groups: Dict[Tuple[str, str, str], List[Task]] = defaultdict(list)
    for name, tasks in _finished_tasks(snapshot).items():
        for task in tasks:
            if task.run and task.created_ms is not None and task.ended_ms is not None:
                groups[(name, task.job_id, task.parent_task_id)].append(task)
    total_cpus = sum(n.resources.get("CPU", 0) for n in snapshot.nodes if n.alive)
    found = []
    for (name, job_id, _parent), tasks in sorted(groups.items()):
        if len(tasks) < limits.serial_task_count:
            continue
        tasks.sort(key=lambda t: t.run[0])
        overlaps = 0
        waited = 0
        for before, after in zip(tasks, tasks[1:]):
            slack = 0.0 if before.run_source == after.run_source == "span" else CLOCK_SLACK_MS
            if after.run[0] < before.run[1] - slack:
                overlaps += 1
            if after.created_ms >= before.ended_ms - CLOCK_SLACK_MS:
                waited += 1
        pairs = len(tasks) - 1
        if overlaps or waited < pairs:
            continue
        start, end = tasks[0].run[0], tasks[-1].run[1]
        peak = _peak_cpus(snapshot.tasks, start, end)
        if peak >= total_cpus:
            continue
        found.append(Symptom(
            "DOC002", "serialized-tasks", f"`{name}`: {len(tasks)} tasks run one at a time",
            [f"{len(tasks)} finished tasks of `{name}` from one caller (job {job_id}): 0 overlapping run "
             f"intervals, {waited} of {pairs} submitted only after the previous one ended",
             f"at most {peak:g} of {total_cpus:g} CPUs in use by tasks over those {(end - start) / 1000:.2f} s"],
            "the caller waits for each result before submitting the next task: `ray.get` in a loop",
            "submit all tasks first, then `ray.get` the list (or `ray.wait` to consume results as they finish); "
            "RAY001 finds the loop",
            [name], ("RAY001",),
            ["CPU use is rebuilt from task intervals: CPUs held by actors or placement groups are not counted"],
        ))
    return found


def _peak_cpus(tasks: Sequence[Task], start: float, end: float) -> float:
    """The most CPUs normal tasks held at once within [start, end] (Ray keeps no history of free CPUs)."""
    edges = []
    for task in tasks:
        cpus = task.resources.get("CPU", 0)
        if task.type != "NORMAL_TASK" or not task.run or not cpus:
            continue
        begin, finish = max(task.run[0], start), min(task.run[1], end)
        if begin < finish:
            edges.append((begin, cpus))
            edges.append((finish, -cpus))
    peak = used = 0.0
    for _, delta in sorted(edges, key=lambda edge: (edge[0], edge[1])):
        used += delta
        peak = max(peak, used)
    return peak


def store_pressure(snapshot: Snapshot, limits: Thresholds) -> List[Symptom]:
    """DOC003: a node's object store above the usage threshold now, or bytes spilled since it started."""
    evidence = []
    for node in snapshot.nodes:
        stats = snapshot.stores.get(node.node_id)
        if stats is None or not stats.capacity_bytes:
            continue
        percent = 100.0 * stats.used_bytes / stats.capacity_bytes
        label = f"{'head' if node.is_head else 'worker'} node {node.node_id[:8]}"
        usage = f"in use now {_size(stats.used_bytes)} of {_size(stats.capacity_bytes)} ({percent:.0f}%)"
        if stats.spilled_bytes:
            evidence.append(f"{label}: {_size(stats.spilled_bytes)} spilled to disk in {stats.spilled_objects:,} "
                            f"objects since the node started (restored {_size(stats.restored_bytes)}); {usage}")
        elif percent >= limits.store_usage_percent:
            evidence.append(f"{label}: {usage}, above {limits.store_usage_percent:g}%")
    if not evidence:
        return []
    largest = [o for o in snapshot.objects if o.size_bytes > 0][: limits.largest_objects]
    caveats = ["store counters are cumulative since each node started and carry no time"]
    if largest:
        evidence.append("largest objects now: " + "; ".join(
            f"{_size(o.size_bytes)}" + (f" created at {o.call_site}" if o.call_site else "") for o in largest))
        if not any(o.call_site for o in largest):
            caveats.append("Ray records where objects were created only with RAY_record_ref_creation_sites=1")
    symptom = Symptom(
        "DOC003", "object-store-pressure", "object store full or spilling", evidence,
        "large objects are created faster than they are released: a big argument passed by value to many "
        "tasks (one copy each), data loaded on the driver and put, or references held longer than needed",
        "`ray.put` a large value once and pass the reference (RAY002); let tasks load their own part of the "
        "data (RAY005); drop references you no longer need",
        [], ("RAY002", "RAY005"), caveats,
    )
    symptom.locations = [loc for o in largest for loc in _call_site_location(o.call_site)]
    return [symptom]


def _call_site_location(call_site: Optional[str]) -> List[Location]:
    """`/path/file.py:12:<module>`-style call sites, as far as they name a file and a line."""
    if not call_site:
        return []
    for part in call_site.replace("\n", " ").split():
        path, _, rest = part.partition(".py:")
        row = rest.split(":", 1)[0]
        if path and row.isdigit():
            return [Location(path + ".py", int(row), "object created here")]
    return []


def pending_args(snapshot: Snapshot, limits: Thresholds) -> List[Symptom]:
    """DOC004: tasks that waited for their arguments longer than the threshold."""
    waits: Dict[str, List[Task]] = defaultdict(list)
    for task in snapshot.tasks:
        if task.args_wait_ms is not None and task.args_wait_ms > limits.pending_args_seconds * 1000:
            waits[task.name].append(task)
    found = []
    for name, tasks in sorted(waits.items()):
        longest = max(t.args_wait_ms for t in tasks) / 1000
        still = sum(t.still_waiting_for_args for t in tasks)
        found.append(Symptom(
            "DOC004", "pending-args", f"`{name}`: tasks waiting for their arguments",
            [f"{len(tasks):,} tasks of `{name}` waited more than {limits.pending_args_seconds:g} s for their "
             f"arguments, longest {longest:.1f} s" + (f"; {still} still waiting" if still else "")],
            "an argument is the result of a slow upstream task, or a large object that must be transferred "
            "from another node (locality)",
            "submit the dependent work later or split the upstream task so results arrive sooner; keep large "
            "objects where their consumers run (pass references, co-locate with scheduling hints)",
            [name],
        ))
    return found


def head_node_work(snapshot: Snapshot, limits: Thresholds) -> List[Symptom]:
    """DOC005: a head node that declares CPUs or GPUs and ran tasks or actors."""
    found = []
    for head in (n for n in snapshot.nodes if n.is_head):
        declared = {k: head.resources.get(k, 0) for k in ("CPU", "GPU") if head.resources.get(k, 0)}
        if not declared:
            continue
        ran = Counter(t.name for t in snapshot.tasks if t.node_id == head.node_id and t.type in RUNNABLE)
        actors = Counter(a.class_name for a in snapshot.actors if a.node_id == head.node_id)
        if not ran and not actors:
            continue
        what = ", ".join(f"{v:g} {k}" for k, v in declared.items())
        top = ", ".join(f"`{name}` {n:,}" for name, n in ran.most_common(5))
        evidence = [f"head node {head.node_id[:8]} declares {what}"]
        if ran:
            evidence.append(f"{sum(ran.values()):,} task attempts ran on it ({top})")
        if actors:
            evidence.append("actors placed on it: " + ", ".join(f"`{c}` {n}" for c, n in actors.most_common(5)))
        found.append(Symptom(
            "DOC005", "head-node-work", "the head node runs work", evidence,
            "the head node runs the GCS, the dashboard and the drivers; work scheduled there competes with "
            "them and a head that runs out of memory takes the whole cluster down",
            "start the head with `ray start --head --num-cpus=0 --num-gpus=0` so work goes to worker nodes",
            sorted(set(ran) | set(actors)), ("RAY201",),
            ["an actor's node is that of its last incarnation"] if actors else [],
        ))
    return found


def retries_restarts(snapshot: Snapshot, limits: Thresholds) -> List[Symptom]:
    """DOC006: task attempts that failed and were retried, actors that restarted."""
    attempts: Dict[str, List[Task]] = defaultdict(list)
    for task in snapshot.tasks:
        attempts[task.task_id].append(task)
    retried: Dict[str, Counter] = defaultdict(Counter)
    for runs in attempts.values():
        last = max(t.attempt for t in runs)
        if last == 0:
            continue
        name = runs[0].name
        retried[name]["tasks"] += 1
        retried[name]["retries"] += last
        for run in runs:
            if run.state == "FAILED" and run.attempt < last:
                retried[name][run.error_type or "unknown error"] += 1
    restarted = [a for a in snapshot.actors if a.num_restarts > 0]
    if not retried and not restarted:
        return []
    evidence = []
    for name, counts in sorted(retried.items()):
        errors = ", ".join(f"{k} {v}" for k, v in counts.items() if k not in ("tasks", "retries"))
        evidence.append(f"`{name}`: {counts['tasks']:,} tasks retried {counts['retries']:,} times"
                        + (f" (failed attempts: {errors})" if errors else ""))
    by_class: Dict[str, List[int]] = defaultdict(list)
    for actor in restarted:
        by_class[actor.class_name].append(actor.num_restarts)
    for name, restarts in sorted(by_class.items()):
        evidence.append(f"actor `{name}`: {len(restarts)} actor(s) restarted {sum(restarts)} time(s)")
    return [Symptom(
        "DOC006", "retries-restarts", "tasks retried, actors restarted", evidence,
        "workers died (a crash, `os._exit`, out of memory, a lost node) and Ray retried or restarted them: "
        "the job still completes, just slower, and nothing fails loudly",
        "find why the workers die (the worker logs, `ray logs`, memory use); make retried work idempotent",
        sorted(set(retried) | set(by_class)),
        caveats=["a crashed worker's own events are lost; its attempt shows only the owner's view"],
    )]


def idle_gpus(snapshot: Snapshot, limits: Thresholds) -> List[Symptom]:
    """DOC007: GPUs idle while GPU work is pending, or GPU nodes running work that asked for no GPU."""
    gpu_nodes = {n.node_id: n for n in snapshot.nodes if n.alive and n.resources.get("GPU", 0)}
    if not gpu_nodes:
        return []
    evidence = []
    functions = set()
    free = snapshot.available.get("GPU", 0)
    waiting = [t for t in snapshot.tasks
               if t.state == "PENDING_NODE_ASSIGNMENT" and t.resources.get("GPU", 0)]
    waiting_actors = [a for a in snapshot.actors if a.state == "PENDING_CREATION" and a.resources.get("GPU", 0)]
    if free and (waiting or waiting_actors):
        evidence.append(f"{free:g} GPUs free now while {len(waiting)} tasks and {len(waiting_actors)} actors "
                        "that need GPUs wait for a node")
        functions.update(t.name for t in waiting)
        functions.update(a.class_name for a in waiting_actors)
    # on a cluster of GPU nodes only, CPU work has nowhere else to go
    cpu_nodes = [n for n in snapshot.nodes if n.alive and n.node_id not in gpu_nodes and n.resources.get("CPU", 0)]
    cpu_only = Counter(t.name for t in snapshot.tasks if cpu_nodes and t.node_id in gpu_nodes
                       and t.type in ("NORMAL_TASK", "ACTOR_CREATION_TASK") and not t.resources.get("GPU", 0))
    if cpu_only:
        nodes = ", ".join(f"{n.node_id[:8]} ({n.resources['GPU']:g} GPU)" for n in gpu_nodes.values())
        top = ", ".join(f"`{name}` {n:,}" for name, n in cpu_only.most_common(5))
        evidence.append(f"{sum(cpu_only.values()):,} task attempts that asked for no GPU ran on GPU node(s) "
                        f"{nodes}: {top}")
        functions.update(cpu_only)
    if not evidence:
        return []
    return [Symptom(
        "DOC007", "idle-gpus", "GPU capacity not used for GPU work", evidence,
        "GPU work asks for more than is free on one node, or CPU-only work fills the GPU nodes' CPUs and "
        "memory so GPU work cannot be placed there",
        "give GPU work `num_gpus` that fits a node; keep CPU-only work off GPU nodes (a custom resource or "
        "label on CPU nodes, or fewer CPUs declared on GPU nodes)",
        sorted(functions), ("RAY003",),
    )]


CHECKS: Tuple[Callable[[Snapshot, Thresholds], List[Symptom]], ...] = (
    tiny_tasks, serialized_tasks, store_pressure, pending_args, head_node_work, retries_restarts, idle_gpus,
)


def run_checks(snapshot: Snapshot, limits: Thresholds) -> List[Symptom]:
    return [symptom for check in CHECKS for symptom in check(snapshot, limits)]


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"
