"""The result cache is data, never code: whatever is planted in `.raylint_cache/` can only be ignored."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from raylint.files.cache import ResultCache, decode, encode
from raylint.engine import FileResult, LintOptions
from raylint.sources.paths import lint_path
from raylint.registry import all_rules

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class _Payload:
    """Unpickling this creates the file `target`: what an attacker would plant."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (os.system, (f"touch {self.target}",))


def _check(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, RAYLINT_CACHE_DIR=str(project / ".raylint_cache"))
    return subprocess.run([sys.executable, "-m", "raylint", "check", ".", "--output-format", "json", *args],
                          cwd=project, capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def project(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("ray001_get_in_loop.py", "ray003_missing_resources.py", "ray102_remote_redefined_in_loop.py"):
        (project / name).write_bytes((EXAMPLES / name).read_bytes())
    return project


def _cache_files(project: Path):
    return sorted((project / ".raylint_cache").rglob("*.json"))


def test_a_planted_pickle_payload_is_never_loaded_and_findings_equal_a_cold_run(project, tmp_path):
    cold = _check(project, "--no-cache")
    assert cold.returncode == 1, cold.stderr
    first = _check(project)
    assert first.stdout == cold.stdout
    [cache_file] = _cache_files(project)
    target = tmp_path / "pwned"
    payload = pickle.dumps({"x": _Payload(str(target))})
    # the payload in the file raylint reads, and where an older raylint kept its pickle
    cache_file.write_bytes(payload)
    cache_file.with_suffix(".pickle").write_bytes(payload)
    planted = _check(project)
    assert not target.exists()
    assert planted.returncode == 1 and planted.stderr == ""
    assert planted.stdout == cold.stdout
    # the damaged cache was rebuilt as JSON
    assert json.loads(cache_file.read_text())["entries"]


def test_entries_of_the_wrong_shape_are_dropped_silently(project):
    cold = _check(project, "--no-cache")
    _check(project)
    [cache_file] = _cache_files(project)
    data = json.loads(cache_file.read_text())
    entries = data["entries"]
    paths = sorted(entries)
    entries[paths[0]]["result"]["diagnostics"] = [[1, 2, 3]]           # the IndexError of the issue
    entries[paths[1]]["result"]["diagnostics"][0]["location"] = {"row": "1", "column": 1}
    entries[paths[2]]["fingerprint"] = [["x", "remote", {"qualname": 1}]]
    entries["/elsewhere/bogus.py"] = {"content": 5}
    cache_file.write_text(json.dumps(data))
    damaged = _check(project)
    assert damaged.stderr == "" and damaged.returncode == 1
    assert damaged.stdout == cold.stdout
    for text in ("[]", "null", '{"format": 2, "version": 7, "entries": []}', "{" * 100_000, "\x00\xff"):
        cache_file.write_text(text, encoding="utf-8", errors="surrogateescape")
        again = _check(project)
        assert (again.returncode, again.stderr, again.stdout) == (1, "", cold.stdout), text[:20]


def test_a_stale_entry_whose_content_changed_is_not_reused(project):
    _check(project)
    target = project / "ray001_get_in_loop.py"
    target.write_text("import ray\n")
    after = _check(project)
    assert after.returncode == 1
    assert [f for f in json.loads(after.stdout) if f["filename"] == str(target)] == []


def test_results_round_trip_through_the_codec(tmp_path):
    options = LintOptions(enabled=frozenset(all_rules()))
    for path in sorted(EXAMPLES.glob("*.py")):
        result = lint_path(str(path), options, path.stem)
        assert decode(FileResult, json.loads(json.dumps(encode(result)))) == result
    cache = ResultCache(tmp_path, "key")
    result = lint_path(str(EXAMPLES / "ray001_get_in_loop.py"), options, "ray001")
    cache.put(result.path, "content", (result, (("m.f", None), ("m.g", "not-remote"))))
    cache.save()
    reloaded = ResultCache(tmp_path, "key")
    assert reloaded.get(result.path, "content") == (result, (("m.f", None), ("m.g", "not-remote")))
    assert reloaded.get(result.path, "other") is None


def test_an_empty_result_is_stored_as_its_key_and_stat_alone(tmp_path):
    """Most files have nothing in their result: their entry is only the content key and the stat, and reads
    back as the empty result of its path; any other shape is refused."""
    from raylint.files.cache import _decode_entry

    options = LintOptions(enabled=frozenset(all_rules()))
    full = lint_path(str(EXAMPLES / "ray001_get_in_loop.py"), options, "ray001_get_in_loop")
    assert {d.code for d in full.diagnostics} >= {"RAY001"}
    cache = ResultCache(tmp_path, "k")
    cache.put("/p/empty.py", "c1", (FileResult("/p/empty.py", []), ()), (1, 2))
    cache.put("/p/asked.py", "c2", (FileResult("/p/asked.py", []), (("m.f", None),)), (1, 2))
    cache.put(full.path, "c3", (full, ()), (1, 2))
    cache.save()
    raw = json.loads(cache.path.read_text())["entries"]
    assert raw["/p/empty.py"] == {"content": "c1", "stat": [1, 2]}
    assert set(raw["/p/asked.py"]) == set(raw[full.path]) == {"content", "stat", "result", "fingerprint"}
    again = ResultCache(tmp_path, "k")
    assert again.get("/p/empty.py", "c1") == (FileResult("/p/empty.py", []), ())
    assert again.get("/p/asked.py", "c2") == (FileResult("/p/asked.py", []), (("m.f", None),))
    assert again.get(full.path, "c3") == (full, ())
    for planted in ({"content": "c", "stat": [1, 2], "result": None}, {"content": 1, "stat": [1, 2]},
                    {"content": "c", "stat": [1, "2"]}, {"content": "c"}):
        assert _decode_entry("/p/a.py", planted) is None
