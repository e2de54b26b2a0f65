"""The importable API shared by the CLI, the tests and editor integrations: lint files, get Diagnostics."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from raylint import config as config_module
from raylint.cache import ResultCache, content_key, settings_key
from raylint.discovery import discover
from raylint.engine import (
    FileResult,
    SourceError,
    decode_source,
    LintOptions,
    build_index,
    filter_codes,
    index_fingerprint,
    lint_path,
    needs_relint,
    pseudo_finding,
)
from raylint.fixing import FixPolicy, fix_text
from raylint.ftypes import Diagnostic
from raylint.writer import WriteError, write_fixed
from raylint.project_index import ProjectIndex
from raylint.registry import IO_ERROR

# Below this many files to lint, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 24


@dataclass
class FileChange:
    """A file the fixes change: its text before and after, and how many findings were fixed."""

    path: str
    before: str
    after: str
    fixed: int
    written: bool = False


@dataclass
class CheckResult:
    diagnostics: List[Diagnostic]
    files_checked: int
    elapsed: float
    results: Dict[str, FileResult] = field(default_factory=dict)
    changes: List[FileChange] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)

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
) -> CheckResult:
    """Discover, lint, filter and optionally fix: what `raylint check` and `raylint fix` do before printing."""
    started = time.perf_counter()
    enabled = config_module.enabled_codes(settings, select, extend_select, ignore, preview)
    options = LintOptions(enabled=enabled, rule_settings=_rule_settings(settings))
    files, problems = discover(paths, settings, force_exclude=force_exclude)
    cache = None
    if use_cache:
        cache = ResultCache(settings.cache_dir, settings_key(sorted(enabled), _frozen(options.rule_settings)))
    project = lint_project(files, options, jobs=jobs, cache=cache)
    outcome = CheckResult([], len(files), 0.0)
    for result in project.results:
        ignored = config_module.ignored_for_file(settings, Path(result.path))
        result = replace(result, diagnostics=filter_codes(result.diagnostics, ignored))
        outcome.errors.extend(result.fix_errors)
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


def _fix_file(result: FileResult, options: LintOptions, request: FixRequest, project: "Project",
              ignored, outcome: CheckResult) -> FileResult:
    """Fix one file; returns the findings that remain (or the original ones when nothing is written)."""
    try:
        with open(result.path, "rb") as handle:
            original = handle.read()
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


def lint_files(
    files: Sequence[Path],
    options: LintOptions,
    *,
    jobs: Optional[int] = None,
    cache: Optional[ResultCache] = None,
) -> List[FileResult]:
    return lint_project(files, options, jobs=jobs, cache=cache).results


@dataclass
class Project:
    """The results of one run over a set of files, with what is needed to lint them again (fixing)."""

    results: List[FileResult]
    index: ProjectIndex
    modules: Dict[str, str]


def lint_project(
    files: Sequence[Path],
    options: LintOptions,
    *,
    jobs: Optional[int] = None,
    cache: Optional[ResultCache] = None,
) -> Project:
    """Lint files in two passes: each file alone (in parallel, or from the cache), then again only the
    files that submit remote functions defined in other checked files, with the project index."""
    paths = [os.path.abspath(p) for p in files]
    modules = _module_names(paths)
    keys: Dict[str, str] = {}
    results: Dict[str, FileResult] = {}
    fingerprints: Dict[str, Tuple] = {}
    todo: List[str] = []
    for path in paths:
        if cache is not None:
            key = _content_key(path)
            if key is not None:
                keys[path] = key
                entry = cache.get(path, key)
                if entry is not None:
                    results[path], fingerprints[path] = entry
                    continue
        todo.append(path)
    for result in _run(todo, options, modules, None, jobs):
        results[result.path] = result
        fingerprints[result.path] = ()
    index = build_index(list(results.values()), modules.values())
    stale = [
        path
        for path, result in results.items()
        if (needs_relint(result, index) or fingerprints[path])
        and fingerprints[path] != index_fingerprint(index, result.index_queries)
    ]
    for result in _run(stale, options, modules, index, jobs):
        results[result.path] = result
        fingerprints[result.path] = index_fingerprint(index, result.index_queries)
    if cache is not None:
        for path in stale + todo:
            if path in keys:
                cache.put(path, keys[path], (results[path], fingerprints[path]))
        cache.save()
    return Project([results[path] for path in paths], index, modules)


def _run(paths: List[str], options: LintOptions, modules: Dict[str, str], index: Optional[ProjectIndex], jobs):
    jobs = jobs or os.cpu_count() or 1
    jobs_list = [(path, options, modules[path], index) for path in paths]
    if jobs <= 1 or len(paths) < _PARALLEL_THRESHOLD:
        return [_lint_job(job) for job in jobs_list]
    chunk = max(1, len(paths) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_lint_job, jobs_list, chunksize=chunk))


def _lint_job(job) -> FileResult:
    path, options, module_name, index = job
    return lint_path(path, options, module_name, index)


def _content_key(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            return content_key(handle.read())
    except OSError:
        return None


def _module_names(paths: Sequence[str]) -> Dict[str, str]:
    packages: Dict[str, bool] = {}

    def is_package(directory: Path) -> bool:
        key = str(directory)
        if key not in packages:
            packages[key] = (directory / "__init__.py").exists()
        return packages[key]

    names = {}
    for path in paths:
        file = Path(path)
        parts = [] if file.stem == "__init__" else [file.stem]
        directory = file.parent
        while is_package(directory) and directory.parent != directory:
            parts.insert(0, directory.name)
            directory = directory.parent
        names[path] = ".".join(parts)
    return names


def _rule_settings(settings: config_module.Settings) -> Dict[str, Mapping[str, object]]:
    return {code: dict(values) for code, values in settings.rule_options.items()}


def _frozen(mapping: Mapping) -> Tuple:
    return tuple(sorted((k, repr(v)) for k, v in mapping.items()))


__all__ = ["CheckResult", "FileChange", "FixRequest", "check", "check_files", "lint_files", "lint_project"]
