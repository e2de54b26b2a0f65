"""One read of the cluster's state through Ray's public state API (plus the store counters), turned
into plain rows the checks can reason about without Ray."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from raylint.doctor import store_stats
from raylint.doctor.connect import STATE_API_TIMEOUT_S, Attachment, CannotAttach

# The most rows one state-API call returns (RAY_MAX_LIMIT_FROM_API_SERVER); sorted by task id, not time.
MAX_ROWS = 10_000
# Jobs whose tasks are read, newest first: each is one call.
MAX_JOBS = 50


@dataclass(frozen=True)
class Node:
    node_id: str
    is_head: bool
    alive: bool
    resources: Dict[str, float]
    manager_address: str
    manager_port: int


@dataclass(frozen=True)
class Task:
    """One task attempt. `run` is (start, end) in ms and `run_source` says how it was measured: the
    worker's own span ("span", sub-ms), the whole-ms start..end ("start-end"), or, when the worker's
    events were lost, from submission to the worker until the owner saw it end ("upper-bound")."""

    task_id: str
    attempt: int
    name: str
    type: str
    state: str
    job_id: str
    parent_task_id: str
    node_id: Optional[str]
    resources: Dict[str, float]
    error_type: Optional[str]
    created_ms: Optional[float]
    ended_ms: Optional[float]
    run: Optional[Tuple[float, float]]
    run_source: Optional[str]
    # how long it sat in PENDING_ARGS_AVAIL, and whether it still does
    args_wait_ms: Optional[float] = None
    still_waiting_for_args: bool = False


@dataclass(frozen=True)
class Actor:
    actor_id: str
    class_name: str
    state: str
    node_id: Optional[str]
    num_restarts: int
    resources: Dict[str, float]


@dataclass(frozen=True)
class StoredObject:
    object_id: str
    size_bytes: int
    call_site: Optional[str]
    node_ip: Optional[str]


@dataclass
class Snapshot:
    nodes: List[Node]
    tasks: List[Task]
    actors: List[Actor]
    stores: Dict[str, store_stats.StoreStats]
    objects: List[StoredObject]
    available: Dict[str, float]
    now_ms: float
    since_s: Optional[float] = None
    notes: List[str] = field(default_factory=list)
    # jobs with more task attempts than one call returns: their counts are lower bounds
    cut_jobs: List[str] = field(default_factory=list)


def collect(attachment: Attachment, since_s: Optional[float] = None) -> Snapshot:
    from ray.util import state

    address = attachment.address
    now_ms = time.time() * 1000
    notes: List[str] = []
    with warnings.catch_warnings():
        # a partial answer is reported as a note below, not as Ray's warning
        warnings.simplefilter("ignore")
        try:
            task_rows, cut_jobs = _tasks_per_job(state, attachment, notes)
            actor_rows = state.list_actors(address=address, detail=True, limit=MAX_ROWS,
                                           timeout=STATE_API_TIMEOUT_S, raise_on_missing_output=False)
            object_rows = state.list_objects(address=address, detail=True, limit=MAX_ROWS,
                                             timeout=STATE_API_TIMEOUT_S, raise_on_missing_output=False)
        except Exception as error:  # noqa: BLE001 - any state-API failure means the cluster cannot be read
            raise CannotAttach(f"reading the state of {address} failed: {str(error).strip().splitlines()[0]}") from None
    nodes = [_node(row) for row in attachment.node_table]
    if cut_jobs:
        notes.append(f"job(s) {', '.join(cut_jobs)}: only the first {MAX_ROWS:,} task attempts by task id were "
                     "readable (one state-API call returns at most that many); their counts are lower bounds")
    notes.append("the GCS keeps the last 100,000 task attempts (RAY_task_events_max_num_task_in_gcs); older "
                 "ones are not visible")
    tasks = [_task(row, now_ms) for row in task_rows]
    if since_s is not None:
        tasks = recent(tasks, now_ms, since_s)
        notes.append(f"tasks limited to the last {since_s:g} s; the store counters and actor restarts cover "
                     "the life of each node and actor")
    stores = {}
    for node in nodes:
        if not node.alive:
            continue
        try:
            stores[node.node_id] = store_stats.read(node.manager_address, node.manager_port)
        except Exception as error:  # noqa: BLE001 - one unreadable raylet must not hide the other nodes
            notes.append(f"object store of node {node.node_id[:8]} unreadable: {str(error).strip()[:120]}")
    return Snapshot(
        nodes=nodes,
        tasks=tasks,
        actors=[_actor(row) for row in actor_rows],
        stores=stores,
        objects=sorted((_object(row) for row in object_rows), key=lambda o: -o.size_bytes),
        available=dict(attachment.global_state.available_resources()),
        now_ms=now_ms,
        since_s=since_s,
        notes=notes,
        cut_jobs=cut_jobs,
    )


def recent(tasks: List[Task], now_ms: float, since_s: float) -> List[Task]:
    """Attempts that ended in the last `since_s` seconds, or are still going and were created then."""
    cutoff = now_ms - since_s * 1000
    return [t for t in tasks if (t.ended_ms or t.created_ms or now_ms) >= cutoff]


def _tasks_per_job(state, attachment: Attachment, notes: List[str]) -> Tuple[List[Any], List[str]]:
    """Task rows job by job (the GCS filters by job, so one big job cannot hide the others from a single
    10,000-row page), newest jobs first, at most MAX_JOBS of them."""
    jobs = sorted(attachment.global_state.job_table(), key=lambda job: -(job.get("StartTime") or 0))
    if len(jobs) > MAX_JOBS:
        notes.append(f"read the tasks of the newest {MAX_JOBS} of {len(jobs)} jobs")
    rows: List[Any] = []
    cut = []
    for job in jobs[:MAX_JOBS]:
        found = state.list_tasks(address=attachment.address, detail=True, limit=MAX_ROWS,
                                 filters=[("job_id", "=", job["JobID"])], timeout=STATE_API_TIMEOUT_S,
                                 raise_on_missing_output=False)
        if len(found) >= MAX_ROWS:
            cut.append(job["JobID"])
        rows.extend(found)
    return rows, cut


def _node(row: Dict[str, Any]) -> Node:
    resources = dict(row.get("Resources") or {})
    return Node(
        node_id=row["NodeID"],
        is_head="node:__internal_head__" in resources,
        alive=bool(row.get("Alive")),
        resources=resources,
        manager_address=row.get("NodeManagerAddress", ""),
        manager_port=int(row.get("NodeManagerPort") or 0),
    )


def _task(row: Any, now_ms: float) -> Task:
    events = {}
    ordered = []
    for event in row.events or []:
        ordered.append((event.get("state"), event.get("created_ms")))
        events.setdefault(event.get("state"), event.get("created_ms"))
    run, source = _run_interval(row, events)
    args_wait, still_waiting = None, False
    for index, (state_name, stamp) in enumerate(ordered):
        if state_name == "PENDING_ARGS_AVAIL" and stamp is not None:
            following = next((s for _, s in ordered[index + 1:] if s is not None), None)
            if following is None and row.state == "PENDING_ARGS_AVAIL":
                args_wait, still_waiting = now_ms - stamp, True
            elif following is not None:
                args_wait = following - stamp
            break
    return Task(
        task_id=row.task_id,
        attempt=int(row.attempt_number or 0),
        name=row.func_or_class_name or row.name or "",
        type=row.type,
        state=row.state,
        job_id=row.job_id,
        parent_task_id=row.parent_task_id or "",
        node_id=row.node_id,
        resources=dict(row.required_resources or {}),
        error_type=row.error_type,
        created_ms=row.creation_time_ms,
        ended_ms=row.end_time_ms,
        run=run,
        run_source=source,
        args_wait_ms=args_wait,
        still_waiting_for_args=still_waiting,
    )


def _run_interval(row: Any, events: Dict[str, float]):
    """The worker's `task::<name>` span when its events arrived; else whole-ms fields; else the owner's
    view (events of a worker that exited with its job are lost)."""
    for event in (row.profiling_data or {}).get("events", []) if isinstance(row.profiling_data, dict) else []:
        name = event.get("event_name", "")
        if name.startswith("task::") and event.get("start_time") and event.get("end_time"):
            return (float(event["start_time"]), float(event["end_time"])), "span"
    if row.start_time_ms and row.end_time_ms:
        return (float(row.start_time_ms), float(row.end_time_ms)), "start-end"
    submitted = events.get("SUBMITTED_TO_WORKER")
    if submitted and row.end_time_ms:
        return (float(submitted), float(row.end_time_ms)), "upper-bound"
    return None, None


def _actor(row: Any) -> Actor:
    return Actor(
        actor_id=row.actor_id,
        class_name=row.class_name or "",
        state=row.state,
        node_id=row.node_id,
        num_restarts=int(getattr(row, "num_restarts", 0) or 0),
        resources=dict(row.required_resources or {}),
    )


def _object(row: Any) -> StoredObject:
    call_site = row.call_site if row.call_site and row.call_site != "disabled" else None
    return StoredObject(row.object_id, int(row.object_size or 0), call_site, row.ip)
