"""RAY101's fix next to RAY001's: a `ray.get` in a loop inside a coroutine is both, and with both rules
selected the fixes must not fight (RAY001 leaves coroutines to RAY101)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from raylint.engine import LintOptions, lint_source
from raylint.fixing import FixPolicy, fix_text

HERE = Path(__file__).parent
FILES = [
    HERE / "fix_fixtures" / "RAY101" / "loops.py",
    HERE / "fix_fixtures" / "RAY101" / "refs.py",
    HERE / "fixtures" / "RAY001" / "positive_loop_kinds.py",
]
BOTH = LintOptions(enabled=frozenset({"RAY001", "RAY101"}))


@pytest.mark.parametrize("unsafe", [False, True])
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_ray001_and_ray101_fixes_converge(path, unsafe):
    policy = FixPolicy(unsafe=unsafe)
    once = fix_text(path.read_text(encoding="utf-8"), str(path), BOTH, policy)
    assert once.errors == []
    ast.parse(once.source)
    twice = fix_text(once.source, str(path), BOTH, policy)
    assert twice.fixed == 0 and twice.source == once.source
    remaining = lint_source(once.source, str(path), BOTH).diagnostics
    assert not [d for d in remaining if policy.applies(d)]


def test_coroutine_loop_is_fixed_by_ray101_alone():
    path = FILES[0]
    once = fix_text(path.read_text(encoding="utf-8"), str(path), BOTH, FixPolicy())
    assert set(once.codes) == {"RAY101"}
    assert once.source == (path.parent / "loops.safe.py").read_text(encoding="utf-8")
