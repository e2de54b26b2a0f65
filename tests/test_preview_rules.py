"""Preview rules (RAY111, RAY112) run only in preview mode and only when selected by their exact code."""

from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from raylint.cli import main

PREVIEW_CODES = {"RAY111", "RAY112"}
SOURCE = textwrap.dedent(
    """\
    import sys

    import ray


    @ray.remote(num_cpus=1)
    def handle(line):
        return len(line)


    @ray.remote(num_cpus=1)
    class Follower:
        def __init__(self, leader):
            self.leader = leader

        def follow(self):
            while True:
                ray.get(self.leader.read.remote())


    def tail():
        for line in sys.stdin:
            handle.remote(line)
    """
)


def preview_findings(*args):
    result = CliRunner().invoke(main, ["check", "stream.py", "--no-cache", "--output-format", "json", *args],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return {(d["code"], d["location"]["row"]) for d in json.loads(result.output) if d["code"] in PREVIEW_CODES}


def test_not_run_by_default(project):
    (project / "stream.py").write_text(SOURCE)
    assert preview_findings() == set()


def test_select_alone_does_not_run_a_preview_rule(project):
    (project / "stream.py").write_text(SOURCE)
    assert preview_findings("--select", "RAY111") == set()
    assert preview_findings("--preview") == set()


def test_preview_flag_with_select_runs_it(project):
    (project / "stream.py").write_text(SOURCE)
    assert preview_findings("--preview", "--select", "RAY111") == {("RAY111", 23)}
    assert preview_findings("--preview", "--select", "RAY111,RAY112") == {("RAY111", 23), ("RAY112", 18)}


def test_preview_config_with_extend_select_runs_them(project):
    (project / "stream.py").write_text(SOURCE)
    (project / "pyproject.toml").write_text('[tool.raylint]\npreview = true\nextend-select = ["RAY111", "RAY112"]\n')
    assert preview_findings() == {("RAY111", 23), ("RAY112", 18)}
    assert preview_findings("--no-preview") == set()


def test_select_all_with_preview_runs_them(project):
    # as in Ruff: `ALL` in preview mode includes the preview rules
    (project / "stream.py").write_text(SOURCE)
    assert preview_findings("--preview", "--select", "ALL") == {("RAY111", 23), ("RAY112", 18)}
    assert preview_findings("--select", "ALL") == set()
    # a prefix still picks only the stable rules
    assert preview_findings("--preview", "--select", "RAY1") == set()
