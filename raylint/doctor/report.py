"""The doctor's output: the playbook as a rich table, or JSON (a list of symptom objects)."""

from __future__ import annotations

import json
import os
from typing import Sequence

from raylint.doctor.checks import Symptom


def as_json(symptoms: Sequence[Symptom]) -> str:
    return json.dumps([_record(s) for s in symptoms], indent=2) + "\n"


def _record(symptom: Symptom) -> dict:
    return {
        "code": symptom.code,
        "name": symptom.name,
        "symptom": symptom.symptom,
        "evidence": list(symptom.evidence),
        "cause": symptom.cause,
        "fix": symptom.fix,
        "functions": list(symptom.functions),
        "related_rules": list(symptom.related_rules),
        "caveats": list(symptom.caveats),
        "locations": [{"filename": loc.filename, "row": loc.row, "note": loc.note} for loc in symptom.locations],
    }


def print_table(symptoms: Sequence[Symptom], notes: Sequence[str], console, address: str) -> None:
    """One two-column table per symptom (evidence, cause, fix, source), readable in a narrow terminal."""
    from rich.table import Table

    if not symptoms:
        console.print(f"raylint doctor: no symptoms found on the cluster at {address}.", highlight=False)
    else:
        console.print(f"raylint doctor: {len(symptoms)} symptom(s) on the cluster at {address}", highlight=False)
    for symptom in symptoms:
        table = Table(title=f"{symptom.code} {symptom.name}: {symptom.symptom}", title_justify="left",
                      show_header=False, show_lines=True, expand=True)
        table.add_column("", style="bold", no_wrap=True)
        table.add_column("", overflow="fold", ratio=1)
        table.add_row("Evidence", "\n".join(f"- {line}" for line in symptom.evidence))
        if symptom.caveats:
            table.add_row("Not visible", "\n".join(f"- {line}" for line in symptom.caveats))
        table.add_row("Likely cause", symptom.cause)
        table.add_row("Fix", symptom.fix)
        table.add_row("Source", "\n".join(_location(loc) for loc in symptom.locations) or "unknown")
        console.print(table)
    for note in notes:
        console.print(f"note: {note}", highlight=False)


def _location(location) -> str:
    path = location.filename
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    if not relative.startswith(".."):
        path = relative
    return f"{path}:{location.row} {location.note}".rstrip()
