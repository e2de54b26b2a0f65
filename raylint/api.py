"""The importable API shared by the CLI, the tests and editor integrations: lint files, get Diagnostics."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from raylint import config as config_module
from raylint.cache import ResultCache, content_key, settings_key
from raylint.discovery import discover
from raylint.engine import (
    FileResult,
    LintOptions,
    build_index,
    filter_codes,
    index_fingerprint,
    lint_path,
    needs_relint,
    pseudo_finding,
)
from raylint.ftypes import Diagnostic
from raylint.project_index import ProjectIndex
from raylint.registry import IO_ERROR

# Below this many files to lint, starting worker processes costs more than it saves.
_PARALLEL_THRESHOLD = 24


@dataclass
class CheckResult:
    diagnostics: List[Diagnostic]
    files_checked: int
    elapsed: float
    results: Dict[str, FileResult] = field(default_factory=dict)


def check_files(
    paths: Iterable[os.PathLike],
    *,
    select: Optional[Sequence[str]] = None,
    ignore: Sequence[str] = (),
    rule_options: Optional[Mapping[str, Mapping[str, object]]] = None,
    jobs: int = 1,
) -> List[Diagnostic]:
    """Lint exactly these files with the given selection, no config file and no cache."""
    base = config_module.Settings(root=Path.cwd(), cache_dir=Path.cwd() / ".raylint_cache")
    enabled = config_module.enabled_codes(base, cli_select=select, cli_ignore=ignore)
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
) -> CheckResult:
    """Discover, lint and filter: what `raylint check` does before printing."""
    started = time.perf_counter()
    enabled = config_module.enabled_codes(settings, select, extend_select, ignore)
    options = LintOptions(enabled=enabled, rule_settings=_rule_settings(settings))
    files, problems = discover(paths, settings, force_exclude=force_exclude)
    cache = None
    if use_cache:
        cache = ResultCache(settings.cache_dir, settings_key(sorted(enabled), _frozen(options.rule_settings)))
    results = lint_files(files, options, jobs=jobs, cache=cache)
    diagnostics: List[Diagnostic] = []
    for result in results:
        ignored = config_module.ignored_for_file(settings, Path(result.path))
        diagnostics.extend(filter_codes(result.diagnostics, ignored))
    for directory, reason in problems:
        path = os.path.abspath(directory)
        diagnostics.append(pseudo_finding(IO_ERROR, path, f"Failed to read {path}: {reason}"))
    diagnostics.sort(key=Diagnostic.sort_key)
    return CheckResult(diagnostics, len(files), time.perf_counter() - started, {r.path: r for r in results})


def lint_files(
    files: Sequence[Path],
    options: LintOptions,
    *,
    jobs: Optional[int] = None,
    cache: Optional[ResultCache] = None,
) -> List[FileResult]:
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
    return [results[path] for path in paths]


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


__all__ = ["CheckResult", "check", "check_files", "lint_files"]
