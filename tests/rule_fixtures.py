"""Reads the bugbear-style fixtures: `# expect: RAY001` markers and an optional options header."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import List, Set, Tuple

FIXTURES = Path(__file__).parent / "fixtures"
# Python sources, and the cluster configs RAY201 reads (the marker is a YAML or shell comment there).
FIXTURE_SUFFIXES = (".py", ".yaml", ".yml", ".sh")
MARKER = re.compile(r"#\s*expect:\s*(.+?)\s*$")
OPTIONS = re.compile(r"^#\s*fixture-options:\s*(\{.*\})\s*$")
# Rules to run besides the fixture's own: RAY900 judges only the codes of rules that ran.
SELECT = re.compile(r"^#\s*fixture-select:\s*(.+?)\s*$", re.MULTILINE)


def expected_findings(path: Path, code: str) -> Set[Tuple[str, int, str]]:
    """(code, line, severity) for each marker naming `code`; severity is "error" when the marker says so."""
    found = set()
    for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = MARKER.search(line)
        if not match:
            continue
        words = match.group(1).replace(",", " ").split()
        for index, word in enumerate(words):
            if word == code:
                error = index + 1 < len(words) and words[index + 1] == "error"
                found.add((code, row, "error" if error else "any"))
    return found


def fixture_options(path: Path) -> dict:
    first = path.read_text(encoding="utf-8").splitlines()[:1]
    if first:
        match = OPTIONS.match(first[0])
        if match:
            return json.loads(match.group(1))
    return {}


def fixture_select(text: str) -> List[str]:
    """The extra rule codes a `# fixture-select: RAY001, RAY003` line asks for."""
    match = SELECT.search(text)
    return match.group(1).replace(",", " ").split() if match else []


def fixture_cases() -> List[Tuple[str, Path]]:
    """(rule code, file or project directory) for every fixture."""
    cases = []
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for entry in sorted(rule_dir.iterdir()):
            if entry.suffix in FIXTURE_SUFFIXES or (entry.is_dir() and entry.name.startswith("project_")):
                cases.append((rule_dir.name, entry))
    return cases
