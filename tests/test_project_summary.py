"""What a file tells the project index about its remote definitions: the facts only some rules read are worked
out only when one of those rules is enabled, and are the same then as without the restriction."""

from __future__ import annotations

import ast

from raylint.semantics.context import FileContext
from raylint.semantics.project_index import ProjectIndex, summarize

SOURCE = '''\
import ray


@ray.remote
def double(x):
    return x * 2


@ray.remote
class Counter:
    def add(self, x):
        return x + 1

    def total(self):
        return self.count
'''


def _summaries(enabled):
    context = FileContext("pkg/work.py", SOURCE, ast.parse(SOURCE), "pkg.work", ProjectIndex())
    return {summary.name: summary for summary in summarize(context, enabled)}


def test_all_facts_when_every_rule_may_read_them():
    everything = _summaries(None)
    assert everything == _summaries(frozenset({"RAY004", "RAY113"}))
    assert everything["double"].trivial and everything["Counter"].trivial_methods == {"add", "total"}
    assert everything["Counter"].stateless_methods == {"add"}


def test_facts_no_enabled_rule_reads_are_left_empty():
    summaries = _summaries(frozenset({"RAY001", "RAY003"}))
    assert not summaries["double"].trivial and not summaries["Counter"].trivial_methods
    assert not summaries["Counter"].stateless_methods
    assert summaries["Counter"].is_actor and summaries["double"].qualname == "pkg.work.double"


def _lint(source, summaries):
    from raylint.engine import LintOptions, lint_source
    from raylint.registry import rule_classes

    options = LintOptions(enabled=frozenset(rule_classes()), summaries=summaries)
    return lint_source(source, "/p/pkg/work.py", options, "pkg.work", ProjectIndex())


def test_a_file_nothing_else_reads_is_not_summarized_and_finds_the_same():
    kept, alone = _lint(SOURCE, True), _lint(SOURCE, False)
    assert {s.name for s in kept.summaries} == {"double", "Counter"} and alone.summaries == []
    assert alone.diagnostics == kept.diagnostics and alone.diagnostics


def test_a_file_asking_the_index_about_its_own_module_is_still_summarized():
    source = SOURCE + "\n\nfrom pkg.work import double as again\nrefs = [again.remote(i) for i in range(100)]\n"
    kept, alone = _lint(source, True), _lint(source, False)
    assert "pkg.work.double" in kept.index_queries
    assert alone.summaries == kept.summaries and alone.diagnostics == kept.diagnostics


def test_the_cli_and_the_doctor_summarize_when_something_reads_it(tmp_path, monkeypatch):
    from raylint import api
    from raylint.config import Settings

    (tmp_path / "work.py").write_text(SOURCE)
    monkeypatch.chdir(tmp_path)
    settings = Settings(root=tmp_path, cache_dir=tmp_path / ".cache")
    one = lambda **kw: next(iter(api.check(["work.py"], settings, **kw).results.values()))  # noqa: E731
    assert one(use_cache=False).summaries == []
    assert {s.name for s in one(use_cache=True).summaries} == {"double", "Counter"}
    assert {s.name for s in one(use_cache=False, summaries=True).summaries} == {"double", "Counter"}
