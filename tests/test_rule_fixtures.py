"""Every fixture file yields exactly the (code, line) pairs its `# expect:` markers name."""

from __future__ import annotations

import pytest

from raylint.api import check_files
from tests.rule_fixtures import expected_findings, fixture_cases, fixture_options, fixture_select

CASES = fixture_cases()


@pytest.mark.parametrize("code,entry", CASES, ids=[f"{code}/{entry.name}" for code, entry in CASES])
def test_fixture_findings(code, entry):
    files = sorted(entry.rglob("*.py")) if entry.is_dir() else [entry]
    options = fixture_options(files[0]) if not entry.is_dir() else {}
    select = [code, *fixture_select(files[0].read_text(encoding="utf-8"))]
    diagnostics = check_files(files, select=select, rule_options={code: options} if options else None)
    diagnostics = [d for d in diagnostics if d.code == code]
    for path in files:
        expected = expected_findings(path, code)
        got = {(d.code, d.location.row) for d in diagnostics if d.filename == str(path)}
        assert got == {(c, row) for c, row, _ in expected}, path.name
        severities = {(d.location.row, d.severity) for d in diagnostics if d.filename == str(path)}
        for _, row, severity in expected:
            if severity == "error":
                assert (row, "error") in severities, f"{path.name}:{row} should be an error"
    if not entry.is_dir() and entry.name.startswith("negative_"):
        assert not diagnostics


def test_every_rule_has_positive_and_negative_fixtures():
    from raylint.registry import codes

    for code in codes():
        names = [entry.name for rule, entry in CASES if rule == code]
        assert any(n.startswith("positive_") for n in names), code
        assert any(n.startswith("negative_") for n in names), code
