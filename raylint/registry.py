"""The one table of rule codes: a rule never picks its own number, and a code is never reused."""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Dict, List, NamedTuple, Tuple

from raylint.ftypes import Diagnostic, Location, RuleInfo

# A path in raylint's repository: the docs site is not hosted anywhere, so no link may pretend it is.
DOCS_URL = "docs/rules/{code}.md"

# code, name, module under raylint.rules, default level, on by default, preview (the class says the same:
# rule_classes checks; selecting rules reads this table, so a run whose results are all cached imports no rule)
_TABLE: Tuple[Tuple[str, str, str, str, bool, bool], ...] = (
    ("RAY001", "ray-get-in-loop", "ray_get_in_loop", "warning", True, False),
    ("RAY002", "large-arg-without-put", "large_arg_without_put", "warning", True, False),
    ("RAY003", "missing-resources", "missing_resources", "warning", True, False),
    ("RAY004", "tiny-task-fanout", "tiny_task_fanout", "warning", True, False),
    ("RAY005", "driver-side-loading", "driver_side_loading", "warning", True, False),
    ("RAY101", "blocking-get-in-async", "blocking_get_in_async", "warning", True, False),
    ("RAY102", "remote-redefined-in-loop", "remote_redefined_in_loop", "warning", True, False),
    ("RAY103", "task-returns-put-ref", "task_returns_put_ref", "warning", True, False),
    ("RAY104", "get-on-task-args", "get_on_task_args", "warning", True, False),
    ("RAY105", "unnecessary-get", "unnecessary_get", "warning", True, False),
    ("RAY106", "get-too-many-objects", "get_too_many_objects", "warning", True, False),
    ("RAY107", "closure-captures-large-object", "closure_captures_large_object", "warning", True, False),
    ("RAY108", "global-state-in-task", "global_state_in_task", "error", True, False),
    ("RAY109", "out-of-band-ref-serialization", "out_of_band_ref_serialization", "error", True, False),
    ("RAY110", "fork-in-ray-process", "fork_in_ray_process", "error", True, False),
    ("RAY111", "unbounded-pending-submissions", "unbounded_pending_submissions", "warning", False, True),
    ("RAY112", "blocking-poll-in-sync-actor", "blocking_poll_in_sync_actor", "warning", False, True),
    ("RAY113", "stateless-actor-fanout", "stateless_actor_fanout", "warning", False, True),
    ("RAY201", "head-node-runs-work", "head_node_runs_work", "warning", True, False),
    ("RAY900", "unused-noqa", "unused_noqa", "warning", False, False),
)

# Findings that are not rules: they cannot be selected or ignored, as in Ruff.
SYNTAX_ERROR = "invalid-syntax"
IO_ERROR = "io-error"
PSEUDO_RULES: Dict[str, RuleInfo] = {
    SYNTAX_ERROR: RuleInfo(SYNTAX_ERROR, SYNTAX_ERROR, "The file could not be parsed", "", level="error"),
    IO_ERROR: RuleInfo(IO_ERROR, IO_ERROR, "The file could not be read or decoded", "", level="error"),
}


@lru_cache(maxsize=None)
def rule_classes() -> Dict[str, type]:
    """Code -> rule class, importing each rule module once."""
    classes = {}
    for code, name, module, _level, default_enabled, preview in _TABLE:
        mod = importlib.import_module(f"raylint.rules.{module}")
        cls = mod.RULE
        declared = (cls.code, cls.name, cls.default_enabled, cls.preview)
        if declared != (code, name, default_enabled, preview):
            raise RuntimeError(f"raylint.rules.{module} declares {declared}, the registry says "
                               f"{(code, name, default_enabled, preview)}")
        classes[code] = cls
    return classes


class RuleMeta(NamedTuple):
    """What selecting rules needs of a rule, without importing it."""

    code: str
    name: str
    default_enabled: bool
    preview: bool


@lru_cache(maxsize=None)
def rule_meta() -> Dict[str, RuleMeta]:
    """Code -> RuleMeta for every real rule, in code order, from the table alone."""
    return {row[0]: RuleMeta(row[0], row[1], row[4], row[5]) for row in _TABLE}


@lru_cache(maxsize=None)
def all_rules() -> Dict[str, RuleInfo]:
    """Code -> RuleInfo for every real rule, in code order."""
    infos = {}
    for code, name, _module, level, _default_enabled, _preview in _TABLE:
        cls = rule_classes()[code]
        infos[code] = RuleInfo(
            code=code,
            name=name,
            summary=cls.summary,
            docs=cls.docs(),
            default_enabled=cls.default_enabled,
            preview=cls.preview,
            fix_availability=cls.fix_availability,
            level=level,
            url=DOCS_URL.format(code=code),
            options=tuple(cls.options),
        )
    return infos


def rule_info(code: str) -> RuleInfo:
    """RuleInfo for a rule code or a pseudo-rule such as invalid-syntax."""
    if code in PSEUDO_RULES:
        return PSEUDO_RULES[code]
    return all_rules()[code]


def level_of(code: str) -> str:
    """A rule's default level: "error" where the code is wrong, not only slow."""
    for row in _TABLE:
        if row[0] == code:
            return row[3]
    return PSEUDO_RULES[code].level


def codes() -> List[str]:
    return [row[0] for row in _TABLE]


def code_for_name(name: str) -> str:
    for row in _TABLE:
        if row[1] == name:
            return row[0]
    raise KeyError(name)


def pseudo_finding(code: str, path: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    """A finding of a pseudo-rule (`io-error`, `invalid-syntax`): an error at one position."""
    info = rule_info(code)
    location = Location(row, column)
    return Diagnostic(
        code=code,
        name=info.name,
        message=message,
        filename=path,
        location=location,
        end_location=location,
        noqa_row=row,
        severity="error",
    )
