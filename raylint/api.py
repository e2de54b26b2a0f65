"""The importable API shared by the CLI, the tests and editor integrations: lint files, get Diagnostics."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from raylint import config as config_module, prefilter, workers
from raylint.files.cache import ResultCache, Stat, content_key, file_stat, settings_key
from raylint.files.discovery import discover_files, is_excluded
from raylint.engine import (
    FileResult,
    SourceError,
    decode_source,
    LintOptions,
    build_index,
    filter_codes,
    index_fingerprint,
    lint_source,
    needs_relint,
    pseudo_finding,
)
from raylint.fixing import FixPolicy, fix_text
from raylint.ftypes import Diagnostic
from raylint.sources import NOTEBOOK_SUFFIX
from raylint.sources.paths import lint_path
from raylint.files.writer import WriteError, write_fixed, write_notebook
from raylint.semantics.project_index import ProjectIndex
from raylint.registry import IO_ERROR, rule_classes

if TYPE_CHECKING:
    from raylint.sources.notebooks import CellChange

# Below this many files to lint, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 24
# Groups of files per worker: each costs the parent a round trip; the last one to finish leaves the other
# workers idle for up to its length.
_CHUNKS_PER_WORKER = 16

Progress = Callable[[int, int], None]
"""Called with (files done, files in all) as each file's first lint completes, so a CLI can draw a bar."""


@dataclass
class FileChange:
    """A file the fixes change: its text before and after, and how many findings were fixed."""

    path: str
    before: str
    after: str
    fixed: int
    written: bool = False
    # For a notebook (`before`/`after` are then its JSON): the cells whose source changed.
    cells: Tuple[CellChange, ...] = ()


@dataclass
class CheckResult:
    diagnostics: List[Diagnostic]
    files_checked: int
    elapsed: float
    results: Dict[str, FileResult] = field(default_factory=dict)
    changes: List[FileChange] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    # (path, row, reason) for each malformed noqa directive, once each
    noqa_warnings: List[Tuple[str, int, str]] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return sum(change.fixed for change in self.changes)


@dataclass(frozen=True)
class FixRequest:
    """Fix what `policy` allows; write the files only when `apply` (else the changes are for a diff)."""

    policy: FixPolicy
    apply: bool


def check_files(
    paths: Iterable[os.PathLike],
    *,
    select: Optional[Sequence[str]] = None,
    ignore: Sequence[str] = (),
    rule_options: Optional[Mapping[str, Mapping[str, object]]] = None,
    jobs: int = 1,
    preview: bool = True,
) -> List[Diagnostic]:
    """Lint exactly these files with the given selection, no config file and no cache."""
    base = config_module.Settings(root=Path.cwd(), cache_dir=Path.cwd() / ".raylint_cache")
    enabled = config_module.enabled_codes(base, cli_select=select, cli_ignore=ignore, preview=preview)
    options = LintOptions(enabled=enabled, rule_settings=dict(rule_options or {}))
    files = [Path(p) for p in paths]
    results = lint_files(files, options, jobs=jobs)
    return sorted((d for r in results for d in r.diagnostics), key=Diagnostic.sort_key)


def check(
    paths: Sequence[str],
    settings: config_module.Settings,
    *,
    select: Optional[Sequence[str]] = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    force_exclude: bool = False,
    jobs: Optional[int] = None,
    use_cache: bool = True,
    fix: Optional[FixRequest] = None,
    preview: Optional[bool] = None,
    progress: Optional[Progress] = None,
    ignore_noqa: bool = False,
    fix_edits: bool = True,
    summaries: Optional[bool] = None,
) -> CheckResult:
    """Discover, lint, filter and optionally fix: what `raylint check` and `raylint fix` do before printing.
    Without `fix_edits` (and without `fix`), a finding's fix has no edits, only its applicability and title:
    building every edit costs more than the check itself. Each result's `summaries` are worked out when
    `summaries`, or by default when something reads them (another file, the cache)."""
    started = time.perf_counter()
    enabled = config_module.enabled_codes(settings, select, extend_select, ignore, preview)
    options = LintOptions(enabled=enabled, rule_settings=_rule_settings(settings), ignore_noqa=ignore_noqa,
                          plan_fixes=fix is None and not fix_edits)
    cache = None
    if use_cache:
        # the prefilter leaves syntax errors of files without Ray content unreported: a key of its own
        key = settings_key(sorted(enabled), _frozen(options.rule_settings), ignore_noqa, prefilter.enabled(),
                           options.plan_fixes)
        cache = ResultCache(settings.cache_dir, key)
    pool = _pool(jobs)
    # Without results to reuse, a run that finds many files needs its workers: they start as soon as discovery
    # has found that many, and settle while it goes on. (A warm run may need none: they start when needed.)
    early = pool.start if pool.jobs > 1 and (cache is None or cache.is_empty()) else None
    with pool:
        found, problems = discover_files(paths, settings, force_exclude=force_exclude,
                                         when_found=(_PARALLEL_THRESHOLD, early) if early else None)
        files = [absolute for _, absolute in found]
        if summaries is None:
            summaries = use_cache or len(files) > 1
        if not summaries:
            options = replace(options, summaries=False)
        project = lint_project(files, options, cache=cache, progress=progress, pool=pool)
    outcome = CheckResult([], len(files), 0.0)
    for result in project.results:
        ignored = config_module.ignored_for_file(settings, result.path)
        if ignored and result.diagnostics:
            result = replace(result, diagnostics=filter_codes(result.diagnostics, ignored))
        outcome.errors.extend(result.fix_errors)
        outcome.noqa_warnings.extend((result.path, row, reason) for row, reason in result.noqa_warnings)
        if fix is not None and any(fix.policy.applies(d) for d in result.diagnostics):
            file_options = replace(options, enabled=options.enabled - ignored) if ignored else options
            result = _fix_file(result, file_options, fix, project, ignored, outcome)
        outcome.results[result.path] = result
        outcome.diagnostics.extend(result.diagnostics)
    for directory, reason in problems:
        path = os.path.abspath(directory)
        outcome.diagnostics.append(pseudo_finding(IO_ERROR, path, f"Failed to read {path}: {reason}"))
    outcome.diagnostics.sort(key=Diagnostic.sort_key)
    outcome.errors = list(dict.fromkeys(outcome.errors))
    outcome.elapsed = time.perf_counter() - started
    return outcome


def check_text(
    source: str,
    filename: str,
    settings: config_module.Settings,
    *,
    select: Optional[Sequence[str]] = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    force_exclude: bool = False,
    fix: Optional[FixRequest] = None,
    preview: Optional[bool] = None,
    ignore_noqa: bool = False,
    fix_edits: bool = True,
    fix_rows: Optional[Tuple[int, int]] = None,
) -> CheckResult:
    """Lint `source` as if it were the file `filename`, which is never read nor written and need not exist:
    what `--stdin-filename` and the language server do. Per-file-ignores apply to `filename`, and with
    `force_exclude` an excluded name yields nothing. With `fix`, the fixed text is in `changes`; when
    `fix.apply`, the caller uses that text instead of `source`, so the findings returned are those left in it.
    Without `fix_edits`, fixes carry no edits except those of findings touching `fix_rows` (an editor's range)."""
    started = time.perf_counter()
    path = os.path.abspath(filename)
    if (force_exclude or settings.force_exclude) and is_excluded(path, settings):
        return CheckResult([], 0, time.perf_counter() - started)
    ignored = config_module.ignored_for_file(settings, Path(path))
    enabled = config_module.enabled_codes(settings, select, extend_select, ignore, preview) - ignored
    options = LintOptions(enabled=enabled, rule_settings=_rule_settings(settings), ignore_noqa=ignore_noqa,
                          plan_fixes=fix is None and not fix_edits, fix_rows=fix_rows, summaries=False)
    module_name = _module_names([path])[path]
    result = lint_source(source, path, options, module_name, warn_noqa=True)
    outcome = CheckResult([], 1, 0.0)
    outcome.errors.extend(result.fix_errors)
    outcome.noqa_warnings.extend((path, row, reason) for row, reason in result.noqa_warnings)
    if fix is not None and any(fix.policy.applies(d) for d in result.diagnostics):
        fixed = fix_text(source, path, options, fix.policy, module_name, None, result)
        outcome.errors.extend(fixed.errors)
        if fixed.source != source:
            outcome.changes.append(FileChange(path, source, fixed.source, fixed.fixed, written=fix.apply))
            if fix.apply:
                result = fixed.result
    result = replace(result, diagnostics=filter_codes(result.diagnostics, ignored))
    outcome.results[path] = result
    outcome.diagnostics = sorted(result.diagnostics, key=Diagnostic.sort_key)
    outcome.errors = list(dict.fromkeys(outcome.errors))
    outcome.elapsed = time.perf_counter() - started
    return outcome


def _fix_file(result: FileResult, options: LintOptions, request: FixRequest, project: "Project",
              ignored, outcome: CheckResult) -> FileResult:
    """Fix one file; returns the findings that remain (or the original ones when nothing is written)."""
    try:
        with open(result.path, "rb") as handle:
            original = handle.read()
        if result.path.endswith(NOTEBOOK_SUFFIX):
            return _fix_notebook(result, original, options, request, project, ignored, outcome)
        source = decode_source(original)
    except (OSError, SourceError) as error:
        outcome.errors.append(f"{result.path}: {error}")
        return result
    fixed = fix_text(source, result.path, options, request.policy, project.modules.get(result.path, ""),
                     project.index, result)
    outcome.errors.extend(fixed.errors)
    if fixed.source == source:
        return result
    change = FileChange(result.path, source, fixed.source, fixed.fixed)
    outcome.changes.append(change)
    if not request.apply:
        return result
    try:
        write_fixed(result.path, fixed.source, original)
    except WriteError as error:
        outcome.errors.append(str(error))
        return result
    change.written = True
    return replace(fixed.result, diagnostics=filter_codes(fixed.result.diagnostics, ignored))


def _fix_notebook(result: FileResult, original: bytes, options: LintOptions, request: FixRequest,
                  project: "Project", ignored, outcome: CheckResult) -> FileResult:
    """`_fix_file` for a notebook: only the fixed cells' sources change in the JSON written."""
    from raylint.sources.notebooks import NotebookError, fix_notebook  # a run without notebooks never loads it

    try:
        fixed = fix_notebook(original, result.path, options, request.policy, project.modules.get(result.path, ""),
                             project.index)
    except NotebookError as error:
        outcome.errors.append(f"{result.path}: {error}; not fixed")
        return result
    outcome.errors.extend(fixed.errors)
    if not fixed.changes:
        return result
    change = FileChange(result.path, fixed.notebook.json_text, fixed.text, fixed.fixed, cells=tuple(fixed.changes))
    outcome.changes.append(change)
    if not request.apply:
        return result
    try:
        write_notebook(result.path, fixed.notebook.encoded(fixed.text))
    except WriteError as error:
        outcome.errors.append(str(error))
        return result
    change.written = True
    return replace(fixed.result, diagnostics=filter_codes(fixed.result.diagnostics, ignored))


def lint_files(
    files: Sequence[Union[str, Path]],
    options: LintOptions,
    *,
    jobs: Optional[int] = None,
    cache: Optional[ResultCache] = None,
) -> List[FileResult]:
    return lint_project(files, options, jobs=jobs, cache=cache).results


def _pool(jobs: Optional[int]) -> workers.Pool:
    """Worker processes for `jobs` (default: one per CPU), not started yet (with one job, never: the files
    are linted in this process). Each worker imports the rules as it starts."""
    return workers.Pool(jobs or os.cpu_count() or 1, prepare=rule_classes)


@dataclass
class Project:
    """The results of one run over a set of files, with what is needed to lint them again (fixing)."""

    results: List[FileResult]
    index: ProjectIndex
    modules: Dict[str, str]


def lint_project(
    files: Sequence[Union[str, Path]],
    options: LintOptions,
    *,
    jobs: Optional[int] = None,
    cache: Optional[ResultCache] = None,
    progress: Optional[Progress] = None,
    pool: Optional[workers.Pool] = None,
) -> Project:
    """Lint files in two passes: each file alone (in parallel, or from the cache), then again only the
    files that submit remote functions defined in other checked files, with the project index.
    `progress` hears of each file as its first pass ends. The workers are `pool`'s (which its owner shuts
    down), else `jobs` processes started here if there are enough files."""
    if pool is not None:
        return _lint_project(files, options, cache, progress, pool)
    with _pool(jobs) as own:
        return _lint_project(files, options, cache, progress, own)


def _lint_project(files: Sequence[Union[str, Path]], options: LintOptions, cache: Optional[ResultCache],
                  progress: Optional[Progress], pool: workers.Pool) -> Project:
    paths = [os.path.abspath(p) for p in files]
    modules = _module_names(paths)
    keys: Dict[str, str] = {}
    stats: Dict[str, Optional[Stat]] = {}
    results: Dict[str, FileResult] = {}
    fingerprints: Dict[str, Tuple] = {}
    todo: List[str] = []
    done = 0
    for path in paths:
        if cache is not None and cache.knows(path):
            # the stat is taken before the content is read: a file changed in between is read again next time
            stats[path] = file_stat(path)
            entry = cache.get_unchanged(path, stats[path])
            if entry is None:
                key = _content_key(path)
                if key is not None:
                    keys[path] = key
                    entry = cache.get(path, key)
                    if entry is not None:
                        cache.put(path, key, entry, stats[path])  # same content, new stat: remember it
            if entry is not None:
                results[path], fingerprints[path] = entry
                done += 1
                if progress is not None:
                    progress(done, len(paths))
                continue
        todo.append(path)
    # a file the cache has never seen gets its stat and content key where it is linted, in parallel
    unkeyed = frozenset(path for path in todo if cache is not None and path not in keys)
    for result, key, stat in _run(todo, options, modules, None, pool, unkeyed):
        if key is not None:
            keys[result.path] = key
        if result.path in unkeyed:
            stats[result.path] = stat
        results[result.path] = result
        fingerprints[result.path] = ()
        done += 1
        if progress is not None:
            progress(done, len(paths))
    index = build_index(list(results.values()), modules.values())
    stale = [
        path
        for path, result in results.items()
        if (needs_relint(result, index) or fingerprints[path])
        and fingerprints[path] != index_fingerprint(index, result.index_queries)
    ]
    for result, _, _ in _run(stale, options, modules, index, pool):
        results[result.path] = result
        fingerprints[result.path] = index_fingerprint(index, result.index_queries)
    if cache is not None:
        for path in stale + todo:
            key = keys.get(path) or _content_key(path)  # a stale file found by its stat was not read
            if key is not None:
                cache.put(path, key, (results[path], fingerprints[path]), stats.get(path))
        cache.save()
    return Project([results[path] for path in paths], index, modules)


def _run(paths: List[str], options: LintOptions, modules: Dict[str, str], index: Optional[ProjectIndex],
         pool: workers.Pool, keyed: FrozenSet[str] = frozenset()):
    """(result, content key, stat) of each file as soon as it is ready (in no particular order when workers
    run), so progress can be reported while they run; the key and stat are None but for the paths in `keyed`.
    The pool's workers lint them if they are started already, or if there are enough files to start them."""
    jobs_list = [(path, options, modules[path], index, path in keyed) for path in paths]
    if pool.jobs <= 1 or not paths or (len(paths) < _PARALLEL_THRESHOLD and not pool.started):
        yield from map(_lint_job, jobs_list)
        return
    yield from pool.imap_unordered(_lint_job, jobs_list, chunks=pool.jobs * _CHUNKS_PER_WORKER)


def _lint_job(job) -> Tuple[FileResult, Optional[str], Optional[Stat]]:
    path, options, module_name, index, keyed = job
    if not keyed:
        return lint_path(path, options, module_name, index), None, None
    # the stat before the content (a file changed in between is read again next time), and the key of the
    # very bytes linted, read once; no key when the file cannot be read (lint_path reports it)
    stat = file_stat(path)
    data = _read_bytes(path)
    return lint_path(path, options, module_name, index, data), content_key(data) if data is not None else None, stat


def _content_key(path: str) -> Optional[str]:
    data = _read_bytes(path)
    return content_key(data) if data is not None else None


def _read_bytes(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _module_names(paths: Sequence[str]) -> Dict[str, str]:
    """Each absolute path's dotted module name, from the `__init__.py` files above it (string operations and
    one existence check per directory: a large tree has thousands of files in a few hundred directories)."""
    prefixes: Dict[str, List[str]] = {}

    def package_parts(directory: str) -> List[str]:
        """The package names from the outermost package down to `directory` (empty if it is no package)."""
        if directory not in prefixes:
            parent = os.path.dirname(directory)
            if parent != directory and os.path.exists(os.path.join(directory, "__init__.py")):
                prefixes[directory] = [*package_parts(parent), os.path.basename(directory)]
            else:
                prefixes[directory] = []
        return prefixes[directory]

    names = {}
    for path in paths:
        directory, filename = os.path.split(path)
        stem = os.path.splitext(filename)[0]
        parts = package_parts(directory)
        names[path] = ".".join(parts if stem == "__init__" else [*parts, stem])
    return names


def _rule_settings(settings: config_module.Settings) -> Dict[str, Mapping[str, object]]:
    return {code: dict(values) for code, values in settings.rule_options.items()}


def _frozen(mapping: Mapping) -> Tuple:
    return tuple(sorted((k, repr(v)) for k, v in mapping.items()))


__all__ = [
    "CheckResult", "FileChange", "FixRequest", "Progress", "check", "check_files", "check_text", "lint_files",
    "lint_project",
]
