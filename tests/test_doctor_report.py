"""The doctor's two outputs: a table per symptom (readable at 80 columns) and JSON with the keys the
issue names, locations as {filename, row, note}."""

from __future__ import annotations

import json

from rich.console import Console

from raylint.doctor.checks import Location, Symptom
from raylint.doctor.report import as_json, print_table


def symptom():
    found = Symptom("DOC001", "tiny-tasks", "`double`: 2,000 tiny tasks", ["2,000 finished tasks of `double`"],
                    "the coordination tax", "batch the elements", ["double"], ("RAY004",), ["lost events"])
    found.locations = [Location("/elsewhere/app.py", 19, "RAY004 tiny-task-fanout: ...")]
    return found


def test_json_is_a_list_of_symptom_objects():
    [entry] = json.loads(as_json([symptom()]))
    assert entry["code"] == "DOC001" and entry["symptom"] == "`double`: 2,000 tiny tasks"
    assert entry["evidence"] == ["2,000 finished tasks of `double`"]
    assert entry["cause"] == "the coordination tax" and entry["fix"] == "batch the elements"
    assert entry["locations"] == [{"filename": "/elsewhere/app.py", "row": 19, "note": "RAY004 tiny-task-fanout: ..."}]
    assert json.loads(as_json([])) == []


def test_table_shows_each_part_and_the_notes():
    console = Console(width=80, record=True, color_system=None)
    print_table([symptom()], ["a note"], console, "127.0.0.1:6379")
    text = console.export_text()
    assert text.startswith("raylint doctor: 1 symptom(s) on the cluster at 127.0.0.1:6379")
    for part in ("DOC001 tiny-tasks", "Evidence", "Not visible", "lost events", "Likely cause", "Fix",
                 "/elsewhere/app.py:19 RAY004", "note: a note"):
        assert part in text, part
    assert max(len(line) for line in text.splitlines()) <= 80


def test_table_when_healthy():
    console = Console(width=80, record=True, color_system=None)
    print_table([], [], console, "127.0.0.1:6379")
    assert console.export_text() == "raylint doctor: no symptoms found on the cluster at 127.0.0.1:6379.\n"
