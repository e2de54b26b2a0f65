"""The one table of rule codes: a rule never picks its own number, and a code is never reused."""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Dict, List, Tuple

from raylint.ftypes import Diagnostic, Location, RuleInfo

# A path in raylint's repository: the docs site is not hosted anywhere, so no link may pretend it is.
DOCS_URL = "docs/rules/{code}.md"

# code, name, module under raylint.rules, default level
_TABLE: Tuple[Tuple[str, str, str, str], ...] = (
    ("RAY001", "ray-get-in-loop", "ray_get_in_loop", "warning"),
    ("RAY002", "large-arg-without-put", "large_arg_without_put", "warning"),
    ("RAY003", "missing-resources", "missing_resources", "warning"),
    ("RAY004", "tiny-task-fanout", "tiny_task_fanout", "warning"),
    ("RAY005", "driver-side-loading", "driver_side_loading", "warning"),
    ("RAY101", "blocking-get-in-async", "blocking_get_in_async", "warning"),
    ("RAY102", "remote-redefined-in-loop", "remote_redefined_in_loop", "warning"),
    ("RAY103", "task-returns-put-ref", "task_returns_put_ref", "warning"),
    ("RAY104", "get-on-task-args", "get_on_task_args", "warning"),
    ("RAY105", "unnecessary-get", "unnecessary_get", "warning"),
    ("RAY106", "get-too-many-objects", "get_too_many_objects", "warning"),
    ("RAY107", "closure-captures-large-object", "closure_captures_large_object", "warning"),
    ("RAY108", "global-state-in-task", "global_state_in_task", "error"),
    ("RAY109", "out-of-band-ref-serialization", "out_of_band_ref_serialization", "error"),
    ("RAY110", "fork-in-ray-process", "fork_in_ray_process", "error"),
    ("RAY111", "unbounded-pending-submissions", "unbounded_pending_submissions", "warning"),
    ("RAY112", "blocking-poll-in-sync-actor", "blocking_poll_in_sync_actor", "warning"),
    ("RAY113", "stateless-actor-fanout", "stateless_actor_fanout", "warning"),
    ("RAY201", "head-node-runs-work", "head_node_runs_work", "warning"),
    ("RAY900", "unused-noqa", "unused_noqa", "warning"),
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
    for code, name, module, _level in _TABLE:
        mod = importlib.import_module(f"raylint.rules.{module}")
        cls = mod.RULE
        if cls.code != code or cls.name != name:
            raise RuntimeError(f"raylint.rules.{module} declares {cls.code} {cls.name}, the registry says {code} {name}")
        classes[code] = cls
    return classes


@lru_cache(maxsize=None)
def all_rules() -> Dict[str, RuleInfo]:
    """Code -> RuleInfo for every real rule, in code order."""
    infos = {}
    for code, name, _module, level in _TABLE:
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
    for row_code, _name, _module, level in _TABLE:
        if row_code == code:
            return level
    return PSEUDO_RULES[code].level


def codes() -> List[str]:
    return [row[0] for row in _TABLE]


def code_for_name(name: str) -> str:
    for code, rule_name, _module, _level in _TABLE:
        if rule_name == name:
            return code
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
