"""Reading a cluster's pending requests: which can never be placed, which starve, and the words used."""

from __future__ import annotations

from raylint.validate import schedulability
from raylint.validate.schedulability import ClusterState, SchedulingWatch, infeasible, starved

TWO_NODES = [{"CPU": 1.0, "memory": 4e9}, {"CPU": 1.0, "memory": 4e9}]


def test_a_request_no_node_can_hold_names_the_missing_resource():
    state = ClusterState(TWO_NODES, TWO_NODES, [{"CPU": 1.0, "GPU": 1.0}])
    assert infeasible(state) == (
        "a task or actor asks for CPU: 1, GPU: 1, which no node has: missing GPU: 1 (the largest node has 0)")
    # two CPUs in total, but on two nodes: one task cannot use both
    assert "missing CPU: 2 (the largest node has 1)" in infeasible(ClusterState(TWO_NODES, TWO_NODES, [{"CPU": 2.0}]))
    assert infeasible(ClusterState(TWO_NODES, TWO_NODES, [{"CPU": 1.0}])) is None


def test_a_request_that_fits_but_finds_every_cpu_held_is_starved():
    held = [{"memory": 4e9}, {"memory": 4e9}]
    assert starved(ClusterState(TWO_NODES, held, [{"CPU": 1.0}])) == (
        "a task or actor waits for CPU: 1 (all 2 held) while nothing on the cluster changes")
    assert starved(ClusterState(TWO_NODES, [{"CPU": 1.0}, {}], [{"CPU": 1.0}])) is None


def test_the_watch_needs_two_readings_for_infeasible_and_an_unchanged_cluster_for_starved(monkeypatch):
    readings = iter([ClusterState(TWO_NODES, TWO_NODES, [{"GPU": 1.0}])] * 2)
    monkeypatch.setattr(schedulability, "read_state", lambda address: next(readings))
    watch = SchedulingWatch("127.0.0.1:1", stall_seconds=60)
    assert watch.check() is None
    assert "missing GPU: 1" in watch.check()

    held = [{"memory": 4e9}, {"memory": 4e9}]
    clock = iter([0.0, 30.0, 61.0])
    monkeypatch.setattr(schedulability.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(schedulability, "read_state", lambda address: ClusterState(TWO_NODES, held, [{"CPU": 1.0}]))
    watch = SchedulingWatch("127.0.0.1:1", stall_seconds=60)
    assert watch.check() is None  # first reading: the stall starts
    assert watch.check() is None  # 30 s unchanged
    assert watch.check() == "a task or actor waits for CPU: 1 (all 2 held) while nothing on the cluster changes for 61 s"


def test_an_unreadable_cluster_gives_no_verdict(monkeypatch):
    monkeypatch.setattr(schedulability, "read_state", lambda address: None)
    assert SchedulingWatch("127.0.0.1:1", stall_seconds=0).check() is None
