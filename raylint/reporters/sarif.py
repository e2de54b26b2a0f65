"""SARIF 2.1.0 for GitHub code scanning, with the fields GitHub reads (rule help, precision, line-hash fingerprints)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Dict, Sequence
from urllib.parse import quote

from raylint import registry
from raylint.ftypes import Diagnostic, Edit, Fix, Location, RuleInfo
from raylint.reporters.common import ReportContext, relative_to_cwd, source_lines

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    rules = dict(registry.all_rules())
    for diagnostic in diagnostics:
        if diagnostic.code not in rules:
            rules[diagnostic.code] = registry.rule_info(diagnostic.code)
    index = {code: i for i, code in enumerate(rules)}

    lines_of = source_lines(context)
    seen: Dict[tuple, int] = {}
    results = []
    for diagnostic in diagnostics:
        result = _result(diagnostic, index[diagnostic.code], context)
        lines = lines_of(diagnostic.filename, diagnostic.cell)
        row = diagnostic.location.row
        if lines is not None and 1 <= row <= len(lines):
            # Identical lines in one file are told apart by occurrence, as CodeQL does.
            key = (diagnostic.filename, diagnostic.code, _line_hash(lines[row - 1]))
            seen[key] = seen.get(key, 0) + 1
            result["partialFingerprints"] = {"primaryLocationLineHash": f"{key[2]}:{seen[key]}"}
        results.append(result)

    root = context.cwd.absolute().as_uri()
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "raylint",
                        "semanticVersion": context.version,
                        "rules": [_rule(info) for info in rules.values()],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {SRCROOT: {"uri": root if root.endswith("/") else root + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(info: RuleInfo) -> Dict[str, Any]:
    pseudo = info.code in registry.PSEUDO_RULES
    help_text = info.docs or info.summary
    rule: Dict[str, Any] = {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": _first_paragraph(info.docs) or info.summary},
        "help": {"text": help_text, "markdown": help_text},
    }
    if info.url and "://" in info.url:  # SARIF wants an absolute URI; the help text is inline anyway
        rule["helpUri"] = info.url
    rule["defaultConfiguration"] = {"level": info.level}
    rule["properties"] = {
        "tags": ["raylint"] if pseudo else ["ray", "performance"],
        "precision": "very-high" if pseudo else "high",
        "problem.severity": info.level,
    }
    return rule


def _first_paragraph(docs: str) -> str:
    """The first prose paragraph of a rule page (the "What it does" text), headings skipped."""
    for paragraph in docs.split("\n\n"):
        prose = [line.strip() for line in paragraph.splitlines() if line.strip() and not line.startswith("#")]
        if prose:
            return " ".join(prose)
    return ""


def _result(diagnostic: Diagnostic, rule_index: int, context: ReportContext) -> Dict[str, Any]:
    artifact = _artifact(diagnostic.filename, context.cwd)
    result: Dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": "error" if diagnostic.severity == "error" else "warning",
        "message": {"text": diagnostic.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact,
                    "region": _region(diagnostic.location, diagnostic.end_location),
                }
            }
        ],
    }
    if diagnostic.fix is not None and diagnostic.fix.edits:
        result["fixes"] = [_fix(diagnostic.fix, artifact)]
    if diagnostic.cell is not None:
        # In a notebook the region's rows count within this cell (SARIF has no notion of cells).
        result["properties"] = {"cell": diagnostic.cell}
    return result


def _artifact(filename: str, cwd: Path) -> Dict[str, str]:
    """A repo-relative URI (what GitHub wants), or an absolute file URI for a file outside the working directory."""
    relative = relative_to_cwd(filename, cwd)
    if relative is None:
        return {"uri": Path(filename).absolute().as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _region(start: Location, end: Location) -> Dict[str, int]:
    return {"startLine": start.row, "startColumn": start.column, "endLine": end.row, "endColumn": end.column}


def _fix(fix: Fix, artifact: Dict[str, str]) -> Dict[str, Any]:
    sarif_fix: Dict[str, Any] = {
        "artifactChanges": [{"artifactLocation": artifact, "replacements": [_replacement(e) for e in fix.edits]}]
    }
    if fix.message:
        sarif_fix["description"] = {"text": fix.message}
    return sarif_fix


def _replacement(edit: Edit) -> Dict[str, Any]:
    replacement: Dict[str, Any] = {"deletedRegion": _region(edit.location, edit.end_location)}
    if edit.content:
        replacement["insertedContent"] = {"text": edit.content}
    return replacement


def _line_hash(line: str) -> str:
    """A hash of the line with whitespace collapsed, so re-indenting or moving the line keeps the alert."""
    normalised = " ".join(line.split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]
