"""Golden before/after files for every rewrite, and the guarantees every fix must keep.

`tests/fix_fixtures/RAYnnn/<case>.py` is the input; `<case>.safe.py` is what `raylint fix --apply`
makes of it (safe fixes only) and `<case>.unsafe.py` what `--unsafe-fixes` makes of it (`.yaml`/`.sh`
likewise for RAY201). A missing
expected file means "unchanged". Only rule RAYnnn is selected, and those a `# fixture-select:` line names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from raylint.configs import config_parses
from raylint.engine import LintOptions, lint_source
from raylint.fixing import FixPolicy, fix_text
from tests.rule_fixtures import fixture_select

FIXTURES = Path(__file__).parent / "fix_fixtures"
# RAY201 reads cluster configs: its goldens are YAML and shell files, named the same way.
SUFFIXES = (".py", ".yaml", ".yml", ".sh")
CASES = sorted(
    (rule.name, path)
    for rule in FIXTURES.iterdir()
    if rule.is_dir()
    for path in rule.iterdir()
    if path.suffix in SUFFIXES and not path.stem.endswith((".safe", ".unsafe"))
)
MODES = {"safe": FixPolicy(unsafe=False), "unsafe": FixPolicy(unsafe=True)}


def fix(code: str, source: str, path: Path, mode: str):
    options = LintOptions(enabled=frozenset({code, *fixture_select(source)}))
    return fix_text(source, str(path), options, MODES[mode])


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("code,path", CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_golden(code, path, mode):
    source = path.read_text(encoding="utf-8")
    expected_file = path.with_name(f"{path.stem}.{mode}{path.suffix}")
    expected = expected_file.read_text(encoding="utf-8") if expected_file.exists() else source
    outcome = fix(code, source, path, mode)
    assert outcome.errors == []
    assert outcome.source == expected


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("code,path", CASES, ids=[f"{c}/{p.stem}" for c, p in CASES])
def test_fix_parses_is_idempotent_and_leaves_no_fixable_finding(code, path, mode):
    source = path.read_text(encoding="utf-8")
    once = fix(code, source, path, mode)
    if path.suffix == ".py":
        ast.parse(once.source)
    else:
        assert config_parses(once.source, str(path))
    twice = fix(code, once.source, path, mode)
    assert twice.source == once.source
    assert twice.fixed == 0
    remaining = lint_source(once.source, str(path), LintOptions(enabled=frozenset({code, *fixture_select(source)})))
    assert not [d for d in remaining.diagnostics if MODES[mode].applies(d)]


def test_every_fixable_rule_has_golden_files():
    from raylint.registry import all_rules

    fixable = {code for code, info in all_rules().items() if info.fix_availability != "None"}
    assert fixable <= {code for code, _ in CASES}
