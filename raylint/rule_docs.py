"""One source for a rule's page: `raylint rule`, `docs/rules/*.md` and SARIF help all come from the docstring.

Run `python -m raylint.rule_docs docs/rules` to regenerate the pages; a test fails when they are stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from raylint.registry import all_rules, rule_info


def rule_page(code: str) -> str:
    info = rule_info(code)
    default = "preview" if info.preview else ("on by default" if info.default_enabled else "off by default")
    header = f"# {info.name} ({info.code})\n\nLevel: {info.level}. Fix: {info.fix_availability.lower()}. {default.capitalize()}.\n"
    return f"{header}\n{info.docs}\n"


def write_pages(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for code in all_rules():
        (directory / f"{code}.md").write_text(rule_page(code), encoding="utf-8")


if __name__ == "__main__":
    write_pages(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"))
