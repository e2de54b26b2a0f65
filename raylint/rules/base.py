"""The rule base class: a rule reads the module analysis and reports findings; it never fixes or prints."""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, replace
from typing import Any, Callable, ClassVar, Dict, List, Optional, Tuple

from raylint.fixers.base import BUILD
from raylint.ftypes import Diagnostic, Fix
from raylint.registry import level_of

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Options", "References")


@dataclass(frozen=True)
class Option:
    """A per-rule setting under `[tool.raylint.<rule-name>]`."""

    key: str
    default: Any
    help: str
    choices: Optional[Tuple[Any, ...]] = None

    def validate(self, value: Any) -> Optional[str]:
        """None when `value` is acceptable, else a phrase saying what is allowed."""
        if self.choices is not None:
            if value not in self.choices:
                return "one of " + ", ".join(repr(c) for c in self.choices)
            return None
        expected = type(self.default)
        if expected is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                return "a non-negative integer"
        elif expected is bool:
            if not isinstance(value, bool):
                return "true or false"
        elif expected is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return "a list of strings"
        return None


@dataclass(frozen=True)
class LazyFix:
    """A fix builder with a cheap plan: the plan answers, from the `ast` alone, what building would give
    minus the edits (a Fix with no edits, or None), or BUILD when it cannot tell. Called, it builds."""

    build: Callable[[], Optional[Fix]]
    plan: Callable[[], Any]

    def __call__(self) -> Optional[Fix]:
        return self.build()


class Rule:
    """Base class: subclasses set the metadata, implement `run` and call `report`."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    preview: ClassVar[bool] = False
    fix_availability: ClassVar[str] = "None"
    options: ClassVar[Dict[str, Option]] = {}

    def __init__(self, analysis, settings: Optional[Dict[str, Any]] = None):
        self.analysis = analysis
        merged = {key: opt.default for key, opt in self.options.items()}
        merged.update(settings or {})
        self.settings = merged
        self.findings: List[Diagnostic] = []

    def run(self) -> None:
        raise NotImplementedError

    def report(self, node: ast.AST, message: str, *, severity: Optional[str] = None,
               fix: Optional[Callable[[], Optional[Fix]]] = None) -> None:
        """Record a finding spanning `node`; `fix` builds its Fix (a fixer from raylint.fixers)."""
        start, end = self.analysis.span(node)
        if fix is not None:
            fix = self._plan_fix(fix) if self._plans(start.row, end.row) else self._build_fix(fix)
        self.findings.append(
            Diagnostic(
                code=self.code,
                name=self.name,
                message=message,
                filename=self.analysis.filename,
                location=start,
                end_location=end,
                noqa_row=start.row,
                severity=severity or level_of(self.code),
                url=None,
                fix=fix,
            )
        )

    def _plans(self, first: int, last: int) -> bool:
        """Whether this finding's fix is only planned: the run wants no edits, or none on these rows."""
        if not getattr(self.analysis, "plan_fixes", False):
            return False
        rows = getattr(self.analysis, "fix_rows", None)
        return rows is None or last < rows[0] or first > rows[1]

    def _plan_fix(self, builder: Callable[[], Optional[Fix]]) -> Optional[Fix]:
        """Whether a fix exists and how applicable it is, without its edits (`raylint check` needs no more):
        a LazyFix's cheap plan when it can decide, else the fix built and its edits left out."""
        plan = getattr(builder, "plan", None)
        planned = self._build_fix(plan) if plan is not None else BUILD
        if planned is BUILD:
            planned = self._build_fix(builder)
        return replace(planned, edits=()) if planned is not None else None

    def _build_fix(self, builder: Callable[[], Optional[Fix]]) -> Optional[Fix]:
        """A fix that fails to build is dropped and reported (never written); the finding stays."""
        from raylint.fixers.base import FixError

        try:
            return builder()
        except FixError as error:
            self.analysis.fix_errors.append(f"{self.analysis.filename}: {self.code} fix dropped: {error}")
        except Exception as error:  # noqa: BLE001 - a fixer bug must not take the whole check down
            self.analysis.fix_errors.append(
                f"{self.analysis.filename}: {self.code} fixer failed: {type(error).__name__}: {error}"
            )
        return None

    @classmethod
    def docs(cls) -> str:
        """The rule's page: its docstring, which holds every section of DOC_SECTIONS."""
        return inspect.cleandoc(cls.__doc__ or "")

