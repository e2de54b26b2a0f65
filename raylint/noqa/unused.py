"""RAY900 unused-noqa: the `# noqa` codes that silence nothing. Judged in the engine, after the rules ran
and before suppressions apply, since only then is it known which findings each directive met."""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, FrozenSet, List, Set

from raylint.ftypes import Diagnostic, Fix, Location
from raylint.noqa.edit import directives, removal_edit, split_lines
from raylint.registry import level_of, rule_info
from raylint.noqa.directives import Suppressions

CODE = "RAY900"


def unused_noqa(findings: List[Diagnostic], suppressions: Suppressions, source: str, path: str,
                enabled: FrozenSet[str]) -> List[Diagnostic]:
    """A finding for each coded directive naming an enabled rule that raised nothing on its row.

    `findings` are every finding of the file, suppressed or not, with `noqa_row` set. Blanket directives
    are not judged (they may serve other tools), nor codes of other tools or of rules not run, nor RAY900.
    """
    candidates = {
        row: codes
        for row, codes in suppressions.lines.items()
        if codes is not None and any(code in enabled and code != CODE for code in codes)
    }
    if not candidates:
        return []
    fired: Dict[int, Set[str]] = defaultdict(set)
    for finding in findings:
        fired[finding.noqa_row].add(finding.code)
    lines = split_lines(source)
    found = directives(source, lines)
    unused_findings = []
    for row in sorted(candidates):
        directive = found.get(row)
        if directive is None or directive.codes is None:
            continue
        unused = [code for code in directive.codes if code in enabled and code != CODE and code not in fired[row]]
        if not unused:
            continue
        keep = [code for code in directive.codes if code not in unused]
        edit = removal_edit(lines[row - 1][0], row, directive, keep)
        listed = ", ".join(f"`{code}`" for code in unused)
        unused_findings.append(Diagnostic(
            code=CODE,
            name=rule_info(CODE).name,
            message=f"Unused `noqa` directive (unused: {listed})",
            filename=path,
            location=Location(row, directive.start + 1),
            end_location=Location(row, directive.end + 1),
            noqa_row=row,
            severity=level_of(CODE),
            fix=Fix("safe", "Remove unused `noqa` directive", (edit,)),
        ))
    return unused_findings
