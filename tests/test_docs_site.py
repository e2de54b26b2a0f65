"""The docs site builds without a warning, and the configuration reference names every key raylint accepts."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from raylint.config import _KEYS
from raylint.registry import all_rules, rule_classes
from raylint.rule_docs import write_pages

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _headings(page: str):
    return re.findall(r"^#{2,4} (.+)$", (DOCS / page).read_text(encoding="utf-8"), flags=re.MULTILINE)


@pytest.mark.parametrize("key", sorted(_KEYS))
def test_configuration_page_documents_every_key(key):
    assert f"`{key}`" in _headings("configuration.md"), f"add a `### `{key}`` section to docs/configuration.md"


@pytest.mark.parametrize(
    ("rule_name", "option"),
    [(cls.name, option) for cls in rule_classes().values() for option in cls.options],
)
def test_configuration_page_documents_every_rule_option(rule_name, option):
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    section = f"### `[tool.raylint.{rule_name}]`"
    assert section in text, f"add a {section} section to docs/configuration.md"
    body = text.split(section, 1)[1].split("\n### ", 1)[0]
    assert f"\n`{option}`\n" in body, f"document {option!r} under {section} in docs/configuration.md"


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="mkdocs is not installed (pip install -e '.[dev]')")
def test_site_builds_strictly(tmp_path):
    # Built from a copy with freshly generated rule pages: test_rule_docs reports stale pages, this test the site.
    shutil.copy2(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(DOCS, tmp_path / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    write_pages(tmp_path / "docs" / "rules")
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for code in all_rules():
        assert (site / "rules" / code / "index.html").is_file()
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'href="rules/{code}/"' in index for code in all_rules())
    for page in ("getting-started", "configuration", "integrations", "validation"):
        assert (site / page / "index.html").is_file()
