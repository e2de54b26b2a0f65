"""`raylint check --add-noqa`: write a `# noqa: CODE` for every current finding, so a team can turn
raylint on today and fix the findings over time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, Iterable, List

from raylint.engine import SourceError, decode_source
from raylint.ftypes import Diagnostic
from raylint.noqa.edit import add_codes
from raylint.registry import PSEUDO_RULES
from raylint.noqa.unused import CODE as UNUSED_NOQA
from raylint.files.writer import WriteError, write_fixed


@dataclass
class AddNoqaResult:
    """How many directives were added or extended, and the files that could not be edited."""

    added: int
    errors: List[str]


def add_noqa(diagnostics: Iterable[Diagnostic]) -> AddNoqaResult:
    """Write a `# noqa` for every finding into its file, on its `noqa_row`. Pseudo-findings (nothing to
    silence), unused-noqa findings (silencing them would keep the dead comment) and notebook cells are
    skipped."""
    by_file: Dict[str, Dict[int, List[str]]] = defaultdict(lambda: defaultdict(list))
    for diagnostic in diagnostics:
        if diagnostic.code in PSEUDO_RULES or diagnostic.code == UNUSED_NOQA or diagnostic.cell is not None:
            continue
        by_file[diagnostic.filename][diagnostic.noqa_row].append(diagnostic.code)
    result = AddNoqaResult(0, [])
    for path, codes_by_row in sorted(by_file.items()):
        try:
            with open(path, "rb") as handle:
                original = handle.read()
            source = decode_source(original)
        except OSError as error:
            result.errors.append(f"{path}: {error.strerror or error}")
            continue
        except SourceError as error:
            result.errors.append(f"{path}: {error}")
            continue
        text, added = add_codes(source, codes_by_row)
        if not added:
            continue
        try:
            write_fixed(path, text, original)
        except WriteError as error:
            result.errors.append(str(error))
            continue
        result.added += added
    return result
