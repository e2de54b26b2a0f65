"""Telling a run that can never finish from a slow one: what the program asks the cluster for.

A fixed program that declares resources no node has (`num_gpus=1` on a CPU cluster), or whose actors
now hold every CPU for life while tasks wait for one, does not fail: it waits forever. Waiting for the
time limit would report a timeout and hide the cause, so while a version runs the harness reads the
pending resource requests from the GCS (no dashboard needed) and stops the run as soon as a request
fits no node at all, or when requests have waited, with nothing changing on the cluster, far longer
than the original program took to finish.
"""

from __future__ import annotations

import time
from typing import Dict, List, Optional, Tuple

Bundle = Dict[str, float]
_INTERNAL = ("node:", "bundle_group_", "object_store_memory")


class ClusterState:
    """One reading of the cluster: each alive node's total and available resources, and the pending
    requests (one bundle per pending task or actor)."""

    def __init__(self, totals: List[Bundle], available: List[Bundle], pending: List[Bundle]):
        self.totals = totals
        self.available = available
        self.pending = pending

    def signature(self) -> Tuple:
        return (tuple(sorted(_key(b) for b in self.pending)), tuple(_key(b) for b in self.available))


def read_state(address: str) -> Optional[ClusterState]:
    """The cluster's state through the GCS at `address`; None when it cannot be read."""
    try:
        from ray._raylet import GcsClient
        from ray.core.generated.autoscaler_pb2 import GetClusterResourceStateReply, NodeStatus

        reply = GetClusterResourceStateReply()
        reply.ParseFromString(GcsClient(address=address).get_cluster_resource_state())
    except Exception:  # noqa: BLE001 - a state we cannot read is no verdict; the time limit still applies
        return None
    state = reply.cluster_resource_state
    alive = [node for node in state.node_states if node.status in (NodeStatus.RUNNING, NodeStatus.IDLE)]
    pending = []
    for by_count in state.pending_resource_requests:
        bundle = _plain(by_count.request.resources_bundle)
        pending.extend([bundle] * max(by_count.count, 1))
    for gang in state.pending_gang_resource_requests:
        pending.extend(_plain(request.resources_bundle) for request in gang.requests)
    return ClusterState([_plain(n.total_resources) for n in alive], [_plain(n.available_resources) for n in alive],
                        [bundle for bundle in pending if bundle])


def infeasible(state: ClusterState) -> Optional[str]:
    """A pending request that no node could ever hold: the resources it misses, in words."""
    for bundle in state.pending:
        if not any(_fits(bundle, total) for total in state.totals):
            largest = {key: max((t.get(key, 0.0) for t in state.totals), default=0.0) for key in bundle}
            missing = ", ".join(f"{key}: {_number(bundle[key])} (the largest node has {_number(largest[key])})"
                                for key in sorted(bundle) if bundle[key] > largest[key])
            return f"a task or actor asks for {_words(bundle)}, which no node has: missing {missing}"
    return None


def starved(state: ClusterState) -> Optional[str]:
    """Pending requests that fit a node but find every such resource held: the resources they wait for."""
    for bundle in state.pending:
        if not any(_fits(bundle, available) for available in state.available):
            held = ", ".join(
                f"{key}: {_number(bundle[key])} (all {_number(sum(t.get(key, 0.0) for t in state.totals))} held)"
                for key in sorted(bundle)
                if not any(a.get(key, 0.0) >= bundle[key] for a in state.available))
            return f"a task or actor waits for {held or _words(bundle)} while nothing on the cluster changes"
    return None


class SchedulingWatch:
    """Called about once a second while a version runs; returns why the run can never finish, or None.

    Infeasible requests count after two readings in a row (one reading can race a node's start). A
    starved request counts once the cluster has stayed exactly the same for `stall_seconds`."""

    def __init__(self, address: str, stall_seconds: float):
        self.address = address
        self.stall_seconds = stall_seconds
        self._infeasible_seen = 0
        self._signature: Optional[Tuple] = None
        self._unchanged_since = 0.0

    def check(self) -> Optional[str]:
        state = read_state(self.address)
        if state is None:
            return None
        reason = infeasible(state)
        self._infeasible_seen = self._infeasible_seen + 1 if reason else 0
        if reason and self._infeasible_seen >= 2:
            return reason
        now = time.monotonic()
        signature = state.signature()
        if signature != self._signature or not state.pending:
            self._signature, self._unchanged_since = signature, now
            return None
        if now - self._unchanged_since >= self.stall_seconds:
            reason = starved(state)
            if reason:
                return f"{reason} for {now - self._unchanged_since:.0f} s"
        return None


def wait_for_no_pending(address: str, timeout: float = 30.0) -> None:
    """Until the cluster reports no pending request (or `timeout`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = read_state(address)
        if state is None or not state.pending:
            return
        time.sleep(0.5)


def _plain(resources) -> Bundle:
    """User-visible resources only (not per-node markers, placement group bundles or the object store)."""
    return {key: float(value) for key, value in dict(resources).items()
            if value > 0 and not key.startswith(_INTERNAL)}


def _fits(bundle: Bundle, resources: Bundle) -> bool:
    return all(resources.get(key, 0.0) >= amount for key, amount in bundle.items())


def _key(bundle: Bundle) -> Tuple:
    return tuple(sorted(bundle.items()))


def _number(value: float) -> str:
    return f"{value:g}"


def _words(bundle: Bundle) -> str:
    return ", ".join(f"{key}: {_number(bundle[key])}" for key in sorted(bundle))
