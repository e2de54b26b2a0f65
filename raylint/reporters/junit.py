"""JUnit XML in Ruff's shape (one suite per file, one failing case per finding) for CI test-report viewers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath
from typing import Dict, List, Sequence

from raylint.ftypes import Diagnostic
from raylint.reporters.common import ReportContext, display_path

PACKAGE = "org.raylint"
# Characters XML 1.0 cannot carry even escaped; ElementTree would write them and produce a broken file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(diagnostics: Sequence[Diagnostic], context: ReportContext) -> str:
    by_file: Dict[str, List[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_file.setdefault(display_path(diagnostic.filename, context.cwd), []).append(diagnostic)

    failures = len(diagnostics)
    tests = failures or 1
    root = ET.Element("testsuites", _attrs(name="raylint", tests=tests, failures=failures, errors=0))
    if not diagnostics:
        suite = ET.SubElement(root, "testsuite", _suite_attrs("raylint", tests=1, failures=0))
        ET.SubElement(suite, "testcase", _attrs(name="No errors found", classname="raylint"))
    for path, found in by_file.items():
        suite = ET.SubElement(root, "testsuite", _suite_attrs(path, tests=len(found), failures=len(found)))
        classname = PurePosixPath(path).with_suffix("").as_posix()
        for diagnostic in found:
            _testcase(suite, diagnostic, classname)

    ET.indent(root, space="    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, diagnostic: Diagnostic, classname: str) -> None:
    row, column = diagnostic.location.row, diagnostic.location.column
    case = ET.SubElement(
        suite, "testcase", _attrs(name=f"{PACKAGE}.{diagnostic.code}", classname=classname, line=row, column=column)
    )
    failure = ET.SubElement(case, "failure", _attrs(message=diagnostic.message))
    text = f"line {row}, col {column}, {diagnostic.message}"
    if diagnostic.cell is not None:
        text = f"cell {diagnostic.cell}, {text}"
    if diagnostic.fix is not None and diagnostic.fix.message:
        text += f"\n\n{diagnostic.fix.message}"
    failure.text = _NOT_XML.sub("\ufffd", text)


def _suite_attrs(name: str, tests: int, failures: int) -> Dict[str, str]:
    return _attrs(name=name, tests=tests, disabled=0, errors=0, failures=failures, package=PACKAGE)


def _attrs(**values: object) -> Dict[str, str]:
    """Attribute values as XML-safe strings, in the order given."""
    return {key: _NOT_XML.sub("\ufffd", str(value)) for key, value in values.items()}
