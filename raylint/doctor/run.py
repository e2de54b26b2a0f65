"""`raylint doctor`: attach, read, check, join to the source, report. Exit 0 healthy, 1 symptoms, 2 unreadable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from raylint.doctor.checks import Symptom, run_checks
from raylint.doctor.collect import collect
from raylint.doctor.connect import CannotAttach, attach
from raylint.doctor.thresholds import Thresholds

EXIT_HEALTHY, EXIT_SYMPTOMS, EXIT_CANNOT_CONNECT = 0, 1, 2


@dataclass
class Diagnosis:
    address: str
    symptoms: List[Symptom]
    notes: List[str]


def diagnose(address: Optional[str], *, sources: Sequence[str] = (), since_s: Optional[float] = None,
             thresholds: Thresholds = Thresholds()) -> Diagnosis:
    """Read the cluster once and return what the checks see; raises CannotAttach (one line) if it cannot."""
    attachment = attach(address)
    snapshot = collect(attachment, since_s)
    symptoms = run_checks(snapshot, thresholds)
    notes = list(snapshot.notes)
    if sources:
        from raylint.doctor.source_join import analyse, join

        view = analyse(sources)
        join(symptoms, view)
        notes.extend(f"static analysis: {error}" for error in view.errors)
        if not view.definitions:
            notes.append("--source: no remote functions or actors found to join to")
    return Diagnosis(attachment.address, symptoms, notes)


def exit_code(diagnosis: Diagnosis) -> int:
    return EXIT_SYMPTOMS if diagnosis.symptoms else EXIT_HEALTHY


def outcome(address: Optional[str], sources: Sequence[str], since_s: Optional[float], thresholds: Thresholds,
            output_format: str) -> Tuple[int, str, List[str]]:
    """What the CLI prints: (exit code, text for stdout or "" when a table was printed, lines for stderr)."""
    try:
        diagnosis = diagnose(address, sources=sources, since_s=since_s, thresholds=thresholds)
    except CannotAttach as error:
        return EXIT_CANNOT_CONNECT, "", [f"raylint doctor: {error}"]
    if output_format == "json":
        from raylint.doctor.report import as_json

        return exit_code(diagnosis), as_json(diagnosis.symptoms), [f"note: {n}" for n in diagnosis.notes]
    from rich.console import Console

    from raylint.doctor.report import print_table

    print_table(diagnosis.symptoms, diagnosis.notes, Console(), diagnosis.address)
    return exit_code(diagnosis), "", []
