"""Orchestration only: read each file once, parse it once, run every enabled rule over one shared
analysis, then apply suppressions. Files that submit remote functions imported from other checked
files are linted a second time once the project index is complete."""

from __future__ import annotations

import ast
import codecs
import re
import tokenize
import warnings
from dataclasses import dataclass, field, replace
from io import BytesIO
from typing import FrozenSet, Iterable, List, Mapping, Optional, Tuple, Union

from raylint import deep, heap, prefilter
from raylint.configs import check_config, config_kind
from raylint.fixers import file_cache
from raylint.semantics.context import FileContext
from raylint.ftypes import Diagnostic
from raylint.semantics.project_index import CREATIONS, CreationSites, ProjectIndex, RemoteSummary, summarize
from raylint.registry import SYNTAX_ERROR, pseudo_finding, rule_classes
from raylint.noqa.directives import Suppressions, apply_suppressions, parse_suppressions, with_noqa_rows
from raylint.noqa.unused import CODE as UNUSED_NOQA, unused_noqa

# A module that never imports ray has no Ray calls; this finds every spelling of the import cheaply.
_RAY_IMPORT = re.compile(rb"\bfrom[ \t]+ray\b|\bimport[ \t][^\n]*\bray\b")
_NOQA = re.compile(rb"[nN][oO][qQ][aA]")


@dataclass(frozen=True)
class LintOptions:
    """What a worker needs to lint one file; picklable, and part of the cache key."""

    enabled: FrozenSet[str]
    rule_settings: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    ignore_noqa: bool = False  # report what noqa directives would silence (`noqa_row` still set)
    # only whether each fix exists and its applicability, no edits: what `check` prints needs no more
    plan_fixes: bool = False
    # with plan_fixes, the findings touching these rows (1-based, inclusive) still get their fix built:
    # an editor's code action needs the edits of one range only
    fix_rows: Optional[Tuple[int, int]] = None
    # what the file tells the project index (`FileResult.summaries`): needed when other files or the cache
    # may read it; a file linted alone and kept nowhere (stdin, the editor, one file without the cache)
    # works it out only if it asks the index about its own module
    summaries: bool = True


@dataclass
class FileResult:
    """The outcome for one file: its findings, what it tells the project index, what it asked of it."""

    path: str
    diagnostics: List[Diagnostic]
    summaries: List[Union[RemoteSummary, CreationSites]] = field(default_factory=list)
    index_queries: Tuple[str, ...] = ()
    fix_errors: Tuple[str, ...] = ()
    noqa_warnings: Tuple[Tuple[int, str], ...] = ()  # (row, reason) of each malformed noqa


class SourceError(Exception):
    """A file that cannot be read or decoded; becomes an `io-error` finding."""


def decode_source(data: bytes) -> str:
    """Decode Python source per PEP 263 (BOM, coding cookie, default UTF-8)."""
    if b"\x00" in data:
        raise SourceError("binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceError(str(error)) from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"cannot decode as {encoding}: {error}") from None
    if text.startswith(codecs.BOM_UTF8.decode("utf-8")):
        text = text[1:]
    return text


def read_source(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise SourceError(error.strerror or str(error)) from None
    return decode_source(data)


def syntax_finding(path: str, source: str, error: SyntaxError) -> Diagnostic:
    row = error.lineno or 1
    column = max(error.offset or 1, 1)
    lines = source.splitlines()
    if row > len(lines):
        row, column = max(len(lines), 1), 1
    message = f"SyntaxError: {error.msg}"
    return pseudo_finding(SYNTAX_ERROR, path, message, row, column)


def lint_source(
    source: str,
    path: str,
    options: LintOptions,
    module_name: str = "",
    index: Optional[ProjectIndex] = None,
    data: Optional[bytes] = None,
    warn_noqa: bool = False,
) -> FileResult:
    """Lint one file's text. `index` answers imported remote names (and records what was asked). With
    `warn_noqa`, a file with Ray content also gets its malformed `# noqa` directives (Ruff's warnings):
    in the others a directive can only be meant for another linter, which reports it itself."""
    kind = config_kind(path, source)
    if kind is not None:
        findings, suppressions = check_config(source, path, options, kind)
        if suppressions is not None:
            findings = suppress(findings, source, path, options, suppressions)
        result = FileResult(path, findings)
        return with_noqa_warnings(result, source, data) if warn_noqa else result
    try:
        result, has_ray_content = deep.call(_lint_source, source, path, options, module_name, index, data)
    except deep.TooDeep as error:
        result = FileResult(path, [pseudo_finding(SYNTAX_ERROR, path, f"Failed to analyse {path}: {error}")])
        has_ray_content = True
    return with_noqa_warnings(result, source, data) if warn_noqa and has_ray_content else result


def _lint_source(source: str, path: str, options: LintOptions, module_name: str, index: Optional[ProjectIndex],
                 data: Optional[bytes]) -> Tuple[FileResult, bool]:
    """The result, and whether the file has Ray content: a rule may report in it (the prefilter's answer,
    whether the filter is on or off) and it imports ray, or it has a syntax error that may hide a finding."""
    if data is None:
        data = source.encode("utf-8", "surrogatepass")
    may_report, defines_remotes = prefilter.rules_that_may_report(source, options.enabled - {UNUSED_NOQA})
    relevant = bool(may_report or defines_remotes)  # what "Ray content" means, with the filter on or off
    run_codes = options.enabled
    if prefilter.enabled():
        # Not parsed when no rule can report: its syntax errors are left to Python and Ruff (README).
        if not relevant:
            return _without_findings(source, path, options, data), False
        run_codes = may_report
    with heap.paused():  # from the parse to the end of the file: heap.py says why
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = heap.parse(source, path)
        except SyntaxError as error:
            return FileResult(path, [syntax_finding(path, source, error)]), relevant
        except (ValueError, MemoryError) as error:
            return FileResult(path, [pseudo_finding(SYNTAX_ERROR, path, f"SyntaxError: {error}")]), relevant
        try:
            outcome = _lint_tree(tree, source, path, options, module_name, index, data, run_codes, relevant)
        finally:
            file_cache.forget()  # the fixers' facts about this file would keep its tree alive
        del tree  # freed now: once collections resume, the first one would walk all of it
    return outcome


def _lint_tree(tree: ast.Module, source: str, path: str, options: LintOptions, module_name: str,
               index: Optional[ProjectIndex], data: bytes, run_codes: FrozenSet[str],
               relevant: bool) -> Tuple[FileResult, bool]:
    if not _RAY_IMPORT.search(data):
        return _without_findings(source, path, options, data), False
    index = index.fresh() if index is not None else ProjectIndex()
    extra_loaders = options.rule_settings.get("RAY005", {}).get("extra-loaders", ())
    context = FileContext(path, source, tree, module_name, index, extra_loaders)
    context.plan_fixes, context.fix_rows = options.plan_fixes, options.fix_rows
    findings: List[Diagnostic] = []
    classes = rule_classes()
    # a module that never imports ray (the text check can be fooled by a comment) has no Ray calls
    for code in sorted(run_codes) if context.names.imports_ray else ():
        rule = classes[code](context, options.rule_settings.get(code))
        rule.run()
        findings.extend(rule.findings)
    summaries = summarize(context, options.enabled) if options.summaries or _asks_itself(index, module_name) else []
    # without findings only a directive can be reported (RAY900), and it has to say `noqa`
    if findings or (UNUSED_NOQA in options.enabled and _NOQA.search(data)):
        findings = suppress(findings, source, path, options)
    result = FileResult(path, findings, summaries, tuple(sorted(index.queries)), tuple(context.fix_errors))
    imports_ray = context.names.imports_ray
    if not heap.retire(len(source), len(findings), context):
        context.walk.release()
    return result, relevant and imports_ray


def _asks_itself(index: ProjectIndex, module_name: str) -> bool:
    """The file imports a name of its own module (`from pkg.mod import f` inside pkg/mod.py) and asked the
    index about it: its own summaries may answer that on the second pass. (Every file asks how other files
    create its own remotes, `creations:pkg.mod.f`; only such an import can make its summaries answer.)"""
    own = module_name + "."
    return bool(module_name) and any(q.startswith(own) for q in index.queries if not q.startswith(CREATIONS))


def _without_findings(source: str, path: str, options: LintOptions, data: bytes) -> FileResult:
    """A file where no rule reports: any directive naming an enabled rule is unused."""
    judge = UNUSED_NOQA in options.enabled and not options.ignore_noqa and _NOQA.search(data)
    return FileResult(path, suppress([], source, path, options) if judge else [])


def suppress(findings: List[Diagnostic], source: str, path: str, options: LintOptions,
              suppressions: Optional[Suppressions] = None) -> List[Diagnostic]:
    """Set each finding's `noqa_row`, judge unused directives (RAY900), then drop what directives silence.
    `suppressions` are read from Python comments unless given (a config file's own reader finds them)."""
    if suppressions is None:
        suppressions = parse_suppressions(source)
    findings = with_noqa_rows(findings, suppressions)
    if options.ignore_noqa:
        return sorted(findings, key=Diagnostic.sort_key)
    if UNUSED_NOQA in options.enabled:
        findings += unused_noqa(findings, suppressions, source, path, options.enabled)
    findings.sort(key=Diagnostic.sort_key)
    return apply_suppressions(findings, source, suppressions)


def with_noqa_warnings(result: FileResult, source: str, data: Optional[bytes] = None) -> FileResult:
    """The result with the file's malformed `# noqa` directives, looked for only when it says `noqa`."""
    if not _NOQA.search(data if data is not None else source.encode("utf-8", "surrogatepass")):
        return result
    from raylint.noqa.malformed import noqa_warnings  # only files that mention noqa pay for it

    return replace(result, noqa_warnings=tuple(noqa_warnings(source)))


def needs_relint(result: FileResult, index: ProjectIndex) -> bool:
    """A file that asked the index about a name the completed index now knows."""
    return any(index.get(name) is not None for name in result.index_queries)


def build_index(results: List[FileResult], modules: Iterable[str] = ()) -> ProjectIndex:
    return ProjectIndex((summary for result in results for summary in result.summaries), modules)


def filter_codes(diagnostics: List[Diagnostic], ignored: FrozenSet[str]) -> List[Diagnostic]:
    if not ignored:
        return diagnostics
    return [d for d in diagnostics if d.code not in ignored]


def index_fingerprint(index: ProjectIndex, names: Tuple[str, ...]) -> Tuple:
    """What a file's findings depend on in the index: the summaries of the names it asked for."""
    return tuple((name, index.get(name)) for name in names)

