"""A warm run trusts a file's stat (modification time and size) and does not read the file; a changed stat
falls back to the content key, and a file changed moments before its result was stored never has its stat
trusted (it could change again within the same clock tick)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from raylint import api
from raylint.engine import LintOptions
from raylint.files.cache import ResultCache
from raylint.registry import rule_classes

GET_IN_LOOP = "import ray\n\n@ray.remote(num_cpus=1)\ndef f(x):\n    return x\n\nout = [ray.get(f.remote(i)) for i in range(3)]\n"
OLD = time.time() - 3600  # an hour ago: not racy


@pytest.fixture
def reads(monkeypatch):
    """The paths whose content raylint read to compute a content key, in order."""
    seen = []
    original = api._content_key

    def counting(path):
        seen.append(os.path.basename(path))
        return original(path)

    monkeypatch.setattr(api, "_content_key", counting)
    return seen


def _run(paths, cache_dir: Path):
    options = LintOptions(enabled=frozenset(rule_classes()))
    cache = ResultCache(cache_dir, "key")
    project = api.lint_project(paths, options, jobs=1, cache=cache)
    return [(os.path.basename(d.filename), d.code, d.location.row) for r in project.results for d in r.diagnostics]


def _write(path: Path, text: str, mtime: float = OLD) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def test_an_unchanged_stat_answers_without_reading_the_file(tmp_path, reads):
    source = tmp_path / "job.py"
    _write(source, GET_IN_LOOP)
    cold = _run([source], tmp_path / "cache")
    assert cold == [("job.py", "RAY001", 7)]
    reads.clear()
    assert _run([source], tmp_path / "cache") == cold
    assert reads == []


def test_a_touched_file_is_read_once_and_its_new_stat_remembered(tmp_path, reads):
    source = tmp_path / "job.py"
    _write(source, GET_IN_LOOP)
    cold = _run([source], tmp_path / "cache")
    _write(source, GET_IN_LOOP, mtime=OLD + 60)  # same content, as after a fresh git checkout
    reads.clear()
    assert _run([source], tmp_path / "cache") == cold
    assert reads == ["job.py"]
    reads.clear()
    assert _run([source], tmp_path / "cache") == cold
    assert reads == []


def test_a_changed_file_is_linted_again(tmp_path):
    source = tmp_path / "job.py"
    _write(source, GET_IN_LOOP)
    assert _run([source], tmp_path / "cache") == [("job.py", "RAY001", 7)]
    _write(source, "import ray\n", mtime=OLD + 60)
    assert _run([source], tmp_path / "cache") == []


def test_the_stat_of_a_file_changed_just_now_is_not_trusted(tmp_path, reads):
    source = tmp_path / "job.py"
    source.write_text(GET_IN_LOOP)  # modified now: racy
    cold = _run([source], tmp_path / "cache")
    reads.clear()
    assert _run([source], tmp_path / "cache") == cold
    assert reads == ["job.py"]  # the content decided, not the stat
    # an edit that keeps size and modification time is then still seen
    text = GET_IN_LOOP.replace("ray.get(f.remote(i))", "list((f.remote(i),))")
    assert len(text) == len(GET_IN_LOOP)
    info = os.stat(source)
    source.write_text(text)
    os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert _run([source], tmp_path / "cache") == []


def test_a_damaged_entry_is_linted_again_and_replaced(tmp_path):
    source = tmp_path / "job.py"
    _write(source, GET_IN_LOOP)
    cold = _run([source], tmp_path / "cache")
    [cache_file] = (tmp_path / "cache").rglob("*.json")
    cache_file.write_text(cache_file.read_text().replace('"stat":[', '"stat":["x",', 1))
    assert _run([source], tmp_path / "cache") == cold
    assert '"stat":["x"' not in cache_file.read_text()
