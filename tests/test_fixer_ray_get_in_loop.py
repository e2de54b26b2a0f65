"""RAY001's fixer on CRLF sources, which the golden files cannot hold: `Path.read_text` turns `\r\n`
into `\n`."""

from __future__ import annotations

import ast

from raylint.engine import LintOptions
from raylint.fixing import FixPolicy, fix_text

SOURCE = """\
import ray


@ray.remote
def square(x):
    return x * x


def comprehension(xs):
    return [ray.get(square.remote(x)) for x in xs]


def appended(xs):
    out = []
    # square every input
    for x in xs:  # one task per input
        out.append(ray.get(square.remote(x)))
    return out


def keyed(keys):
    table = {}
    for k in keys:
        table[k] = ray.get(square.remote(k))
    return table
"""

FIXED = """\
import ray


@ray.remote
def square(x):
    return x * x


def comprehension(xs):
    return ray.get([square.remote(x) for x in xs])


def appended(xs):
    out = []
    # square every input
    # one task per input
    out.extend(ray.get([square.remote(x) for x in xs]))
    return out


def keyed(keys):
    table = {}
    table_refs = {k: square.remote(k) for k in keys}
    table.update(zip(table_refs, ray.get(list(table_refs.values()))))
    return table
"""


def test_crlf_line_endings_are_kept():
    source = SOURCE.replace("\n", "\r\n")
    outcome = fix_text(source, "crlf.py", LintOptions(enabled=frozenset({"RAY001"})), FixPolicy())
    assert outcome.errors == []
    assert outcome.fixed == 3
    assert outcome.source == FIXED.replace("\n", "\r\n")
    assert outcome.source.count("\n") == outcome.source.count("\r\n")
    ast.parse(outcome.source)
