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
