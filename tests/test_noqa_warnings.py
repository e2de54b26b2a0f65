"""Malformed `# noqa` directives are warned about in Ruff's words, on stderr, once per directive; what they
suppress stays what Ruff would suppress."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from raylint.noqa.malformed import BAD_CODE, MISSING_CODES, MISSING_COLON, noqa_warnings

SOURCE = textwrap.dedent(
    """\
    import ray


    @ray.remote  # noqa RAY003
    def f():
        return 1


    @ray.remote  # noqa:
    def g():
        return 1


    @ray.remote  # noqa: RAY00
    def h():
        return 1


    @ray.remote(num_cpus=1)  # noqa: RAY003 -- fine, and `# noqa` in prose is fine too
    def k():
        return 1
    """
)


@pytest.mark.parametrize("comment, reason", [
    ("# noqa RAY001", MISSING_COLON),
    ("# noqa RAY001, RAY003", MISSING_COLON),
    ("#noqaRAY001", MISSING_COLON),
    ("# noqa; RAY001", MISSING_COLON),
    ("# noqa:", MISSING_CODES),
    ("# noqa:   # other tool", MISSING_CODES),
    ("# noqa: ray001", MISSING_CODES),
    ("# noqa: RAY001RAYx", BAD_CODE),
    ("# noqa: RAY00", "unknown rule code `RAY00`"),
    ("# noqa: RAY00, RAY9999, F401", "unknown rule codes `RAY00`, `RAY9999`"),
])
def test_each_malformed_directive_has_its_reason(comment, reason):
    assert noqa_warnings(f"x = 1  {comment}\n") == [(1, reason)]


@pytest.mark.parametrize("comment", [
    "# noqa", "# NOQA", "# noqa: RAY001", "# noqa:RAY001,RAY003", "# noqa: RAY001 because reasons",
    "# noqa is fine here", "# noqa: F401, E501", "# type: ignore  # noqa: RAY003", "# nothing to see",
])
def test_valid_directives_and_other_comments_are_not_warned(comment):
    assert noqa_warnings(f"x = 1  {comment}\n") == []


def test_a_noqa_inside_a_string_is_not_a_directive():
    assert noqa_warnings('x = "# noqa RAY001"\n') == []


@pytest.mark.parametrize("source, expected", [
    ("x = 1  # see the docs # noqa RAY001\n", [(1, MISSING_COLON)]),
    ('x = "# noqa: RAY001"  # noqa RAY003\n', [(1, MISSING_COLON)]),
    ("x = 1  # noqa: RAY001\r\ny = 2  # noqa RAY003\r\n", [(2, MISSING_COLON)]),
    ("x = 1  # noqa: RAY001\ry = 2  # noqa:\r", [(2, MISSING_CODES)]),
    ('x = """\n# noqa RAY001\n"""  # noqa: RAY003\n', []),
])
def test_the_text_precheck_keeps_every_warning(source, expected):
    assert noqa_warnings(source) == expected


def test_well_formed_directives_are_judged_without_tokenizing(monkeypatch):
    def no_scan(source):
        raise AssertionError("tokenized a file whose directives are all well-formed")

    monkeypatch.setattr("raylint.noqa.malformed.comments", no_scan)
    assert noqa_warnings("x = 1  # noqa: RAY001\ny = 2  # noqa\nz = 3  # NOQA: E501, RAY003 reasons\n") == []


def _check(cwd, *args, stdin=None):
    env = dict(os.environ, RAYLINT_CACHE_DIR=str(cwd / ".cache"))
    return subprocess.run([sys.executable, "-m", "raylint", "check", "--output-format", "concise", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120, env=env, input=stdin)


def test_check_warns_once_per_directive_on_stderr_and_suppresses_like_ruff(tmp_path):
    (tmp_path / "jobs.py").write_text(SOURCE)
    # a second file submitting `f` makes jobs.py be linted twice (project index): still one warning each
    (tmp_path / "use.py").write_text("import ray\nfrom jobs import f\nray.get([f.remote() for _ in range(3)])\n")
    expected = [
        "warning: Invalid `# noqa` directive on jobs.py:4: " + MISSING_COLON,
        "warning: Invalid `# noqa` directive on jobs.py:9: " + MISSING_CODES,
        "warning: Invalid `# noqa` directive on jobs.py:14: unknown rule code `RAY00`",
    ]
    for _ in ("cold", "cached"):
        completed = _check(tmp_path, ".")
        assert completed.stderr.splitlines() == expected
        assert "Invalid" not in completed.stdout
        # `# noqa RAY003` is blanket (as in Ruff); `# noqa:` and `# noqa: RAY00` silence nothing
        rows = sorted(line.split(":")[1] for line in completed.stdout.splitlines() if line.startswith("jobs.py:"))
        assert rows == ["14", "9"]
    from_stdin = _check(tmp_path, "--stdin-filename", "jobs.py", stdin=SOURCE)
    assert from_stdin.stderr.splitlines() == expected
