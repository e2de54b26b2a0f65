"""Join runtime symptoms to the code: the remote function or actor class named in the task events ->
its definition (from the project index's summaries), the static findings inside it, and the findings
on the lines that submit it."""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Set, Tuple

from raylint import api
from raylint.config import load_settings
from raylint.doctor.checks import Location, Symptom
from raylint.engine import SourceError, read_source
from raylint.ftypes import Diagnostic
from raylint.semantics.project_index import RemoteSummary


@dataclass(frozen=True)
class Definition:
    name: str
    is_actor: bool
    path: str
    row: int
    end_row: int


@dataclass
class SourceView:
    definitions: Dict[str, List[Definition]] = field(default_factory=dict)
    findings: Dict[str, List[Diagnostic]] = field(default_factory=dict)
    # file -> (row, name submitted there): `name.remote(...)`, `name.options(...).remote(...)`,
    # and `handle.method.remote(...)` recorded under the method's name
    submissions: Dict[str, List[Tuple[int, str]]] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)


def analyse(directories: Sequence[str]) -> SourceView:
    """Run the static analysis on the directories, as `raylint check` would with their config."""
    settings = load_settings(start=Path(directories[0]))
    result = api.check(list(directories), settings, use_cache=False, summaries=True)
    view = SourceView(errors=list(result.errors))
    definitions: Dict[str, List[Definition]] = defaultdict(list)
    for path, file_result in result.results.items():
        view.findings[path] = list(file_result.diagnostics)
        for summary in file_result.summaries:
            if not isinstance(summary, RemoteSummary):
                continue  # creation-site records say how a remote is used, not where it is defined
            definitions[summary.name].append(
                Definition(summary.name, summary.is_actor, path, summary.row, summary.end_row))
        if file_result.summaries or any(d.code.startswith("RAY") for d in file_result.diagnostics):
            view.submissions[path] = _submissions(path)
    view.definitions = dict(definitions)
    return view


def _submissions(path: str) -> List[Tuple[int, str]]:
    try:
        tree = ast.parse(read_source(path))
    except (SourceError, SyntaxError, ValueError, OSError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "remote":
            target = node.func.value
            if isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) and target.func.attr == "options":
                target = target.func.value
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
            if name:
                found.append((node.lineno, name))
    return found


def join(symptoms: Sequence[Symptom], view: SourceView) -> None:
    """Add each symptom's source locations: definitions first, then the related static findings."""
    for symptom in symptoms:
        seen: Set[Tuple[str, int, str]] = set(
            (loc.filename, loc.row, loc.note) for loc in symptom.locations)
        for location in _locations(symptom, view):
            key = (location.filename, location.row, location.note)
            if key not in seen:
                seen.add(key)
                symptom.locations.append(location)


def _locations(symptom: Symptom, view: SourceView) -> List[Location]:
    definitions: List[Location] = []
    findings: List[Tuple[bool, Location]] = []
    for runtime_name in symptom.functions:
        owner, _, method = runtime_name.partition(".")
        for definition in view.definitions.get(owner, []):
            if method and not definition.is_actor:
                continue
            kind = "actor class" if definition.is_actor else "remote function"
            definitions.append(Location(definition.path, definition.row, f"{kind} `{owner}` defined here"))
            rows = _rows_of(definition, method, view)
            for finding in view.findings.get(definition.path, []):
                if _covers(finding, rows):
                    related = finding.code in symptom.related_rules
                    findings.append((related, Location(finding.filename, finding.location.row,
                                                       f"{finding.code} {finding.name}: {finding.message}")))
            for path, submitted in view.submissions.items():
                if path == definition.path:
                    continue
                names = {owner}
                # a method name alone could be any class's: only where this file also creates the actor
                if method and method != "__init__" and any(name == owner for _, name in submitted):
                    names.add(method)
                for row, name in submitted:
                    if name in names:
                        for finding in view.findings.get(path, []):
                            if _covers(finding, [(row, row)]):
                                findings.append((finding.code in symptom.related_rules, Location(
                                    finding.filename, finding.location.row,
                                    f"{finding.code} {finding.name}: {finding.message}")))
    findings.sort(key=lambda item: not item[0])
    return definitions + [location for _, location in findings]


def _rows_of(definition: Definition, method: str, view: SourceView) -> List[Tuple[int, int]]:
    """The definition's own lines plus the lines in its file that submit it (or, for an actor method,
    that call that method)."""
    rows = [(definition.row, definition.end_row or definition.row)]
    names = {definition.name}
    if method and method != "__init__":
        names.add(method)
    rows.extend((row, row) for row, name in view.submissions.get(definition.path, []) if name in names)
    return rows


def _covers(finding: Diagnostic, rows: List[Tuple[int, int]]) -> bool:
    start, end = finding.location.row, max(finding.end_location.row, finding.location.row)
    return any(start <= last and first <= end for first, last in rows)
