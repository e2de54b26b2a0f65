"""Which files to lint: walk the given paths for Python sources and Ray cluster configs, honouring exclude
globs and .gitignore files.

Excluded directories are pruned while walking, so a large ignored tree (a virtualenv, node_modules) costs
one pattern match rather than a match per file inside it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from raylint.config import DEFAULT_INCLUDE, Settings
from raylint.configs import config_kind, mentions_ray_cluster

# What the default `include` globs match, tested without pattern matching (the common case).
_DEFAULT_SUFFIXES = tuple(glob[1:] for glob in DEFAULT_INCLUDE)

_NEEDS_SLASHES = os.sep != "/"


class DiscoveryError(Exception):
    """A path named on the command line cannot be used; the message is one line, ready to print."""


def discover(
    paths: Sequence[str], settings: Settings, *, force_exclude: bool = False
) -> Tuple[List[Path], List[Tuple[Path, str]]]:
    """Python files under `paths` (default "."), and the directories that could not be read with the
    reason, so the engine can report each as an `io-error` instead of skipping it silently.

    Files come back sorted and once each, spelled from the argument that reached them (relative
    arguments give relative paths). A file or directory named explicitly is used even when excluded,
    unless `force_exclude` (or `settings.force_exclude`) is set, as in Ruff; explicit files need not end
    in `.py`. Symlinked directories are followed, but a directory is never walked twice, so links cannot
    loop. An argument that does not exist is one of the problems, like an unreadable directory.
    """
    files, problems = discover_files(paths, settings, force_exclude=force_exclude)
    return [Path(display) for display, _ in files], problems


def discover_files(
    paths: Sequence[str], settings: Settings, *, force_exclude: bool = False,
    when_found: Optional[Tuple[int, Callable[[], None]]] = None,
) -> Tuple[List[Tuple[str, str]], List[Tuple[Path, str]]]:
    """`discover`, each file as (display path, absolute path) strings: a warm run over thousands of files
    spends more on path objects than on anything else it does. With `when_found` (count, call), the call is
    made once, as soon as that many files are found (so that the work they need can start meanwhile)."""
    walker = _Walker(settings, force_exclude or settings.force_exclude, when_found)
    for argument in paths or ["."]:
        walker.add_argument(argument)
    files = sorted(((display, absolute) for absolute, display in walker.files.items()), key=lambda f: _parts(f[0]))
    problems = sorted(walker.problems, key=lambda problem: problem[0].parts)
    return files, problems


def _parts(display: str) -> Tuple[str, ...]:
    """`Path(display).parts` (the order files are listed in) without making the path: `display` is already
    in the form `str(Path(...))` gives."""
    if _NEEDS_SLASHES:
        return Path(display).parts
    if display.startswith("/"):
        return ("/", *display[1:].split("/")) if display != "/" else ("/",)
    return tuple(display.split("/"))


def is_excluded(path: str, settings: Settings) -> bool:
    """Whether exclusions or ignore files drop the file `path`, which need not exist (a `--stdin-filename`)."""
    walker = _Walker(settings, force_exclude=True)
    absolute = os.path.abspath(path)
    ignores = walker._ancestor_ignores(os.path.dirname(absolute)) if walker.respect_gitignore else ()
    base = walker.root if _is_under(absolute, walker.root) else None
    return walker._excluded(absolute, False, base, ignores)


class _IgnoreFile:
    """The patterns of one .gitignore (or .git/info/exclude), relative to the directory holding it."""

    __slots__ = ("base", "patterns")

    def __init__(self, base: str, lines: Sequence[str]):
        self.base = base
        compiled = []
        for line in lines:
            # Git skips a pattern it cannot parse instead of dropping the whole file; so do we.
            try:
                compiled.extend(p for p in _spec([line]).patterns if p.include is not None)
            except ValueError:
                continue
        self.patterns = tuple(reversed(compiled))

    def decide(self, path: str, is_dir: bool) -> Optional[bool]:
        """True if ignored, False if re-included by a `!` pattern, None if no pattern here applies."""
        target = _relative(path, self.base) + ("/" if is_dir else "")
        for pattern in self.patterns:  # reversed: the last matching line of the file wins
            if pattern.match_file(target) is not None:
                return pattern.include
        return None

    @classmethod
    def read(cls, base: str, path: str) -> Optional[_IgnoreFile]:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                return cls(base, handle.read().splitlines())
        except OSError:
            return None


# Ignore files in effect for a directory, shallowest first; a deeper file overrides a shallower one.
IgnoreStack = Tuple[_IgnoreFile, ...]


class _Walker:
    def __init__(self, settings: Settings, force_exclude: bool,
                 when_found: Optional[Tuple[int, Callable[[], None]]] = None):
        self.when_found = when_found
        self.root = os.path.abspath(settings.root)
        patterns = [*settings.exclude, *settings.extend_exclude]
        # A plain name (`.git`, `node_modules`) matches a path with a part of that name: a set lookup does
        # what its regex does. Only with no `!` pattern around, since then no later line can re-include.
        plain = not any(p.lstrip().startswith("!") for p in patterns)
        self.excluded_names = frozenset(p for p in patterns if plain and _is_plain_name(p))
        globs = [p for p in patterns if p not in self.excluded_names]
        self.exclude = _spec(globs) if globs else None
        include = (*settings.include, *settings.extend_include)
        self.include = None if include == DEFAULT_INCLUDE else _spec(include)
        self.respect_gitignore = settings.respect_gitignore
        self.force_exclude = force_exclude
        self.files: Dict[str, str] = {}  # absolute path -> the path as reached from its argument
        self.problems: List[Tuple[Path, str]] = []
        self.walked: Set[Tuple[int, int]] = set()
        self.ancestors: Dict[str, IgnoreStack] = {}

    def add_argument(self, argument: str) -> None:
        absolute = os.path.abspath(argument)
        try:
            is_dir = stat.S_ISDIR(os.stat(absolute).st_mode)
        except OSError as error:
            # as in Ruff (E902): a finding for this path, and the other paths are still checked
            self.problems.append((Path(argument), error.strerror or str(error)))
            return
        if not is_dir and not self.force_exclude:
            self._found(absolute, str(Path(argument)))
            return
        ignores = self._ancestor_ignores(os.path.dirname(absolute)) if self.respect_gitignore else ()
        base = self.root if _is_under(absolute, self.root) else None
        excluded = self._excluded(absolute, is_dir, base, ignores)
        if excluded and self.force_exclude:
            return
        if not is_dir:
            self._found(absolute, str(Path(argument)))
            return
        if excluded:
            # The user pointed into an excluded tree on purpose: walk it as its own root, so the
            # pattern that excluded it does not also exclude everything inside.
            base, ignores = absolute, ()
        self._walk(absolute, str(Path(argument)), base or absolute, ignores)

    def _walk(self, directory: str, display: str, base: str, ignores: IgnoreStack) -> None:
        """Walk `directory`, shown as `display` (`str(Path(...))`, so its children are joined with one
        separator, or are their bare names under `.`)."""
        try:
            info = os.stat(directory)
            if (info.st_dev, info.st_ino) in self.walked:
                return
            self.walked.add((info.st_dev, info.st_ino))
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError as error:
            self.problems.append((Path(display), error.strerror or str(error)))
            return
        if self.respect_gitignore:
            ignores = self._enter(directory, {entry.name for entry in entries}, ignores)
        prefix = "" if display == "." else display if display.endswith(os.sep) else display + os.sep
        # The directories between `base` and here were each judged on the way in (or, for a named
        # argument, as a whole): a plain excluded name can only be the entry's own.
        names = self.excluded_names
        patterns = self.exclude is not None or ignores
        for entry in entries:
            if entry.name in names:
                continue
            try:
                is_dir = entry.is_dir()
                is_source = not is_dir and self._included(entry, base) and entry.is_file()
            except OSError:
                continue
            if is_dir:
                if not (patterns and self._excluded(entry.path, True, base, ignores)):
                    self._walk(entry.path, prefix + entry.name, base, ignores)
            elif is_source and not (patterns and self._excluded(entry.path, False, base, ignores)) \
                    and self._worth_linting(entry):
                self._found(entry.path, prefix + entry.name)

    def _found(self, absolute: str, display: str) -> None:
        self.files.setdefault(absolute, display)
        if self.when_found is not None and len(self.files) >= self.when_found[0]:
            call, self.when_found = self.when_found[1], None
            call()

    def _included(self, entry: os.DirEntry, base: str) -> bool:
        if self.include is None:
            return entry.name.endswith(_DEFAULT_SUFFIXES)
        return bool(self.include.match_file(_relative(entry.path, base)))

    @staticmethod
    def _worth_linting(entry: os.DirEntry) -> bool:
        """Python always; a YAML file or shell script only when it mentions a Ray cluster (read only once
        it is known not to be excluded)."""
        if config_kind(entry.name) is None:
            return True
        try:
            with open(entry.path, "rb") as handle:
                return mentions_ray_cluster(handle.read())
        except OSError:
            return False

    def _enter(self, directory: str, names: Set[str], ignores: IgnoreStack) -> IgnoreStack:
        """The ignore stack inside `directory`: a repository top starts afresh, as git does for submodules."""
        if ".git" in names:
            exclude = _IgnoreFile.read(directory, os.path.join(directory, ".git", "info", "exclude"))
            ignores = (exclude,) if exclude else ()
        if ".gitignore" in names:
            gitignore = _IgnoreFile.read(directory, os.path.join(directory, ".gitignore"))
            if gitignore:
                ignores = (*ignores, gitignore)
        return ignores

    def _ancestor_ignores(self, start: str) -> IgnoreStack:
        """Ignore files in force at `start`, from the enclosing repository top (else the project root) down.
        Cached, because pre-commit names hundreds of files in the same few directories."""
        if start not in self.ancestors:
            self.ancestors[start] = self._read_ancestor_ignores(start)
        return self.ancestors[start]

    def _read_ancestor_ignores(self, start: str) -> IgnoreStack:
        chain = []
        directory = start
        while True:
            chain.append(directory)
            if os.path.exists(os.path.join(directory, ".git")):
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                chain = [d for d in chain if _is_under(d, self.root)]
                break
            directory = parent
        ignores: IgnoreStack = ()
        for directory in reversed(chain):
            names = {name for name in (".git", ".gitignore") if os.path.exists(os.path.join(directory, name))}
            ignores = self._enter(directory, names, ignores)
        return ignores

    def _excluded(self, path: str, is_dir: bool, base: Optional[str], ignores: IgnoreStack) -> bool:
        """Whether exclude/extend-exclude or an ignore file drops `path`. Globs match the path relative to
        `base`; with no base (outside the project root) only the name can match, as in Ruff."""
        target = os.path.basename(path) if base is None else _relative(path, base)
        if target and self.excluded_names and not self.excluded_names.isdisjoint(target.split("/")):
            return True
        if target and self.exclude is not None and self.exclude.match_file(target + "/" if is_dir else target):
            return True
        for ignore in reversed(ignores):
            decision = ignore.decide(path, is_dir)
            if decision is not None:
                return decision
        return False


def _spec(lines: Sequence[str]):
    """Gitignore-style patterns; pathspec is imported only when there are any (the defaults are plain names)."""
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(lines)


def _is_plain_name(pattern: str) -> bool:
    """A gitignore line that is one file or directory name, with nothing a glob or git would read specially."""
    return bool(pattern) and pattern == pattern.strip() and not any(c in pattern for c in "/*?[]!\\#")


def _is_under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _relative(path: str, base: str) -> str:
    """`path` below `base` with "/" separators, for the matchers; slicing beats os.path.relpath here."""
    relative = path[len(base.rstrip(os.sep)) + 1 :]
    return relative.replace(os.sep, "/") if _NEEDS_SLASHES else relative
