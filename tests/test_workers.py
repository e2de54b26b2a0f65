"""The worker pool deals the items out in groups and gives every result exactly once, as groups finish."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from raylint import workers


def _square_and_pid(item):
    return item, item * item, os.getpid()


def _fail_on_seven(item):
    if item == 7:
        raise ValueError("seven")
    return item


def test_every_item_once_over_several_workers():
    results = list(workers.imap_unordered(_square_and_pid, list(range(50)), jobs=2, chunks=8))
    assert sorted((item, square) for item, square, _ in results) == [(i, i * i) for i in range(50)]
    assert os.getpid() not in {pid for _, _, pid in results}


def _heap_trims(item):
    from raylint import heap

    return heap._trims


def test_workers_keep_the_memory_the_parser_frees_and_the_parent_does_not():
    from raylint import heap

    assert set(workers.imap_unordered(_heap_trims, list(range(8)), jobs=2, chunks=4)) == {False}
    assert heap._trims


def test_more_groups_than_items():
    assert sorted(workers.imap_unordered(_fail_on_seven, [1, 2, 3], jobs=2, chunks=32)) == [1, 2, 3]


def test_an_error_in_one_item_is_raised_in_the_caller():
    with pytest.raises(ValueError, match="seven"):
        list(workers.imap_unordered(_fail_on_seven, list(range(20)), jobs=2, chunks=4))


def test_deal_spreads_every_item_once_and_ends_with_small_groups():
    items = list(range(100))
    groups = workers.deal(items, 5)
    assert sorted(item for group in groups for item in group) == items
    # the first three quarters dealt into 5 groups of 15, the last quarter into 5 groups of 5
    assert [len(group) for group in groups] == [15] * 5 + [5] * 5
    assert groups[0] == [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70]  # dealt, not cut
    assert groups[5] == [75, 80, 85, 90, 95]


def test_deal_with_fewer_items_than_groups():
    assert workers.deal([1, 2, 3], 32) == [[1], [2], [3]]  # one item a group, none empty
    assert workers.deal([], 4) == []


def _worker_start_status(raylint_pid_of) -> int:
    """The exit status of a forked child that runs the worker start-up, told raylint's pid by `raylint_pid_of`."""
    child = os.fork()
    if child == 0:
        try:
            workers._start_worker(raylint_pid_of(os.getppid()))
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks")
def test_a_worker_whose_raylint_is_already_gone_exits_at_start():
    # raylint killed between the fork and the worker's start-up: its parent is then another process
    assert _worker_start_status(lambda parent: parent) == 0
    orphaned = 1 if multiprocessing.get_start_method() != "forkserver" else 0
    assert _worker_start_status(lambda parent: parent + 1) == orphaned


def _check_events(project, monkeypatch, **options):
    """The order of discovery and worker start-up in one `api.check` over `project`, and its findings."""
    from raylint import api
    from raylint.config import Settings

    events = []
    start, discover_files = workers.Pool.start, api.discover_files

    def recorded_start(pool):
        if not pool.started:
            events.append("workers start")
        start(pool)

    def recorded_discovery(*args, **kwargs):
        events.append("discovery begins")
        found = discover_files(*args, **kwargs)
        events.append("discovery ends")
        return found

    monkeypatch.setattr(workers.Pool, "start", recorded_start)
    monkeypatch.setattr(api, "discover_files", recorded_discovery)
    settings = Settings(root=project, cache_dir=project / ".cache")
    result = api.check([str(project)], settings, jobs=2, **options)
    return events, sorted((os.path.basename(d.filename), d.location.row) for d in result.diagnostics)


def _project(root, files: int):
    get_in_loop = "import ray\n\n\ndef f(refs):\n    return [ray.get(r) for r in refs]\n"
    for index in range(files):
        (root / f"m{index:02d}.py").write_text(get_in_loop)
    return root


def test_a_cold_run_over_many_files_starts_its_workers_while_discovery_goes_on(tmp_path, monkeypatch):
    project = _project(tmp_path, 30)
    events, findings = _check_events(project, monkeypatch, use_cache=False)
    assert events == ["discovery begins", "workers start", "discovery ends"]
    assert findings == [(f"m{index:02d}.py", 5) for index in range(30)]


def test_a_warm_run_starts_no_workers_when_the_cache_answers(tmp_path, monkeypatch):
    project = _project(tmp_path, 30)
    _, cold = _check_events(project, monkeypatch)  # fills the cache (it started its workers early)
    events, warm = _check_events(project, monkeypatch)
    assert events == ["discovery begins", "discovery ends"] and warm == cold


def test_a_small_project_starts_no_workers(tmp_path, monkeypatch):
    project = _project(tmp_path, 5)
    events, findings = _check_events(project, monkeypatch, use_cache=False)
    assert events == ["discovery begins", "discovery ends"] and len(findings) == 5
