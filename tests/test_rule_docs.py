"""Docs come from the code: every rule's docstring has every section, and docs/rules/ is up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from raylint.registry import all_rules
from raylint.rule_docs import rule_page
from raylint.rules.base import DOC_SECTIONS

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


@pytest.mark.parametrize("code", list(all_rules()))
def test_rule_docstring_has_every_section_in_order(code):
    docs = all_rules()[code].docs
    headings = [line[3:].strip() for line in docs.splitlines() if line.startswith("## ")]
    assert headings == list(DOC_SECTIONS)
    # Python rules show Python; RAY201 shows the YAML and shell files it reads.
    language = "```yaml" if code == "RAY201" else "```python"
    assert language in docs.split("## Example")[1].split("## Use instead")[0]
    assert language in docs.split("## Use instead")[1].split("## Fix safety")[0]


@pytest.mark.parametrize("code", list(all_rules()))
def test_docs_page_matches_the_docstring(code):
    page = DOCS / f"{code}.md"
    assert page.exists(), "run: python -m raylint.rule_docs docs/rules"
    assert page.read_text(encoding="utf-8") == rule_page(code), "stale page: run python -m raylint.rule_docs docs/rules"


def test_no_page_without_a_rule():
    assert sorted(p.stem for p in DOCS.glob("*.md")) == sorted(all_rules())
