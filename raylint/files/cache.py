"""Results cached by file stat or content, configuration and raylint version, in `.raylint_cache/`.

A file's findings can also depend on other files (remote functions it imports), so an entry keeps
the project-index answers it relied on; it is reused only while those answers are unchanged.

The cache directory may belong to someone else (in CI, whoever opened the pull request), so it is
plain JSON, never pickle: loading it cannot run code. Every entry is checked against the shape of the
result types before use, and anything unexpected is dropped, so a damaged cache only costs time.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import typing
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

from raylint import __version__

try:
    # What `hashlib.blake2b` is; importing `hashlib` itself also loads OpenSSL, a few milliseconds of every run.
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without CPython's built-in module
    from hashlib import blake2b

# Bumped whenever the layout of an entry changes; a file of another format is ignored.
_FORMAT = 4
# Refuse to parse absurdly large cache files rather than exhaust memory on a planted one.
_MAX_BYTES = 512 << 20


def content_key(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def settings_key(*parts) -> str:
    return blake2b(repr((__version__, _FORMAT, code_key()) + parts).encode(), digest_size=12).hexdigest()


@lru_cache(maxsize=1)
def code_key() -> str:
    """A digest of raylint's own source: results from another build of raylint (an edited checkout, a
    development install) are never reused, even under the same version number."""
    digest = blake2b(digest_size=12)
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class CacheShapeError(ValueError):
    """Cached data does not have the shape of the type it should decode to."""


# A file changed less than this long before its result was stored may change again within the same tick of
# the file system's clock without its stat changing (git's "racy" case): its stat is not trusted.
_RACY_NS = 2_000_000_000

Stat = Tuple[int, int]  # (mtime in ns, size in bytes)


def file_stat(path: str) -> Optional[Stat]:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


class ResultCache:
    """path -> (content key, stat, (FileResult, index fingerprint)), one JSON file per configuration.

    A file whose stat (modification time and size) is what was stored is not read at all, as in Ruff and
    mypy; otherwise its content key decides. Entries are decoded, and so checked, only when asked for:
    a warm run over thousands of files touches each once."""

    def __init__(self, directory: Path, key: str):
        self.path = Path(directory) / __version__ / f"{key}.json"
        self.dirty = False
        self._raw: Dict[str, Any] = _load(self.path)
        self.entries: Dict[str, Tuple[str, Optional[Stat], object]] = {}

    def get(self, path: str, content: str) -> Optional[object]:
        """The cached result if `content` (the file's content key) is what was stored."""
        entry = self._entry(path)
        if entry is not None and entry[0] == content:
            return entry[2]
        return None

    def is_empty(self) -> bool:
        """Nothing stored for this configuration (a first run): every file will be linted."""
        return not self._raw and not self.entries

    def knows(self, path: str) -> bool:
        """Whether there is an entry for `path` at all (a file never seen need not be read to look it up)."""
        return path in self.entries or path in self._raw

    def get_unchanged(self, path: str, stat: Optional[Stat]) -> Optional[object]:
        """The cached result if the file's stat is what was stored: no need to read the file."""
        entry = self._entry(path)
        if entry is not None and stat is not None and entry[1] == stat:
            return entry[2]
        return None

    def put(self, path: str, content: str, result: object, stat: Optional[Stat] = None) -> None:
        if stat is not None and time.time_ns() - stat[0] < _RACY_NS:
            stat = None
        self._raw.pop(path, None)
        self.entries[path] = (content, stat, result)
        self.dirty = True

    def _entry(self, path: str) -> Optional[Tuple[str, Optional[Stat], object]]:
        if path not in self.entries:
            raw = self._raw.pop(path, None)
            if raw is None:
                return None
            entry = _decode_entry(path, raw)
            if entry is None:
                self.dirty = True  # drop it from the file too
                return None
            self.entries[path] = entry
        return self.entries[path]

    def save(self) -> None:
        """Write atomically; a cache that cannot be written is not an error, just slower next time.
        Entries never asked for are written back as they were read (they are checked when used)."""
        if not self.dirty:
            return
        entries = dict(self._raw)
        for path, (content, stat, (result, fingerprint)) in self.entries.items():
            entry = {"content": content, "stat": list(stat) if stat is not None else None}
            if fingerprint or not _is_empty(result):
                try:
                    entry.update(result=encode(result), fingerprint=_encode_fingerprint(fingerprint))
                except CacheShapeError:
                    continue  # a result this codec cannot represent is simply not cached
            entries[path] = entry
        text = json.dumps({"format": _FORMAT, "version": __version__, "entries": entries}, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.path.parent.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# Automatically created by raylint.\n*\n")
            import tempfile  # only a run that writes pays for it

            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(temporary, self.path)
            except BaseException:
                _remove(temporary)
                raise
        except OSError:
            return


def _load(path: Path) -> Dict[str, Any]:
    """The raw entries of the cache file at `path`; nothing at all when the file is not ours."""
    try:
        if path.is_symlink() or path.stat().st_size > _MAX_BYTES:
            return {}
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("version") != __version__:
        return {}
    raw = data.get("entries")
    return raw if isinstance(raw, dict) else {}


_ENTRY_KEYS = frozenset({"content", "stat", "result", "fingerprint"})
# Most files have nothing to report and asked the project index nothing: their entry is only the key and
# the stat, and stands for the empty result of its path (a warm run reads thousands of them).
_EMPTY_ENTRY_KEYS = frozenset({"content", "stat"})


@lru_cache(maxsize=1)
def _file_result() -> type:
    from raylint.engine import FileResult  # the engine imports this module

    return FileResult


def _decode_entry(file: str, entry: Any) -> Optional[Tuple[str, Optional[Stat], object]]:
    """One entry checked against the shape of the result types, or None when anything is unexpected."""
    FileResult = _file_result()
    try:
        if type(entry) is not dict:
            raise CacheShapeError("entry")
        keys = entry.keys()
        empty = keys == _EMPTY_ENTRY_KEYS
        if not empty and keys != _ENTRY_KEYS:
            raise CacheShapeError("entry")
        content = _check(str, entry["content"])
        raw_stat = entry["stat"]
        if raw_stat is None:
            stat = None
        elif type(raw_stat) is list and len(raw_stat) == 2 and type(raw_stat[0]) is int and type(raw_stat[1]) is int:
            stat = (raw_stat[0], raw_stat[1])
        else:
            raise CacheShapeError("stat")
        if empty:
            return content, stat, (FileResult(file, []), ())
        result = decode(FileResult, entry["result"])
        if result.path != file:
            raise CacheShapeError("path")
        fingerprint = entry["fingerprint"]
        return content, stat, (result, () if fingerprint == [] else _decode_fingerprint(fingerprint))
    except (CacheShapeError, RecursionError):
        return None


def _is_empty(result: Any) -> bool:
    """A result with no findings, summaries, index queries, fix errors or noqa warnings."""
    return not any(getattr(result, name) for name in _list_fields(type(result)))


@lru_cache(maxsize=None)
def _list_fields(kind: type) -> Tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind) if f.name != "path")


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# The codec: dataclasses become JSON objects field by field, guided by their type hints, so decoding
# checks every field's type and builds only the classes it was asked for.


def encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple, frozenset, set)):
        items = [encode(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, (frozenset, set)) else items
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise CacheShapeError(f"cannot cache a {type(value).__name__}")


def decode(kind: Any, data: Any) -> Any:
    """`data` as an instance of the type `kind`, or CacheShapeError when it does not fit exactly."""
    return _decoder(kind)(data)


@lru_cache(maxsize=None)
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """A checking decoder for `kind`, built once per type: the warm run decodes thousands of entries."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin is typing.Union:
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) == 1 and len(args) == 2:
            decode_inner = _decoder(inner[0])
            return lambda data: None if data is None else decode_inner(data)
        if not all(dataclasses.is_dataclass(arg) for arg in args):
            raise CacheShapeError(f"cannot decode {kind!r}")
        # a union of dataclasses: the first whose fields fit exactly
        choices = [_decoder(arg) for arg in args]

        def one_of(data):
            for choice in choices:
                try:
                    return choice(data)
                except CacheShapeError:
                    continue
            raise CacheShapeError(f"none of {kind!r}")

        return one_of
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        parts = [_decoder(arg) for arg in args]

        def fixed_tuple(data):
            if type(data) is not list or len(data) != len(parts):
                raise CacheShapeError("tuple")
            return tuple(part(item) for part, item in zip(parts, data))

        return fixed_tuple
    if origin in (list, tuple, frozenset):
        item_decoder = _decoder(args[0])

        def sequence(data):
            if type(data) is not list:
                raise CacheShapeError("list")
            return origin(item_decoder(item) for item in data)

        return sequence
    if dataclasses.is_dataclass(kind):
        fields = [(name, _decoder(hint)) for name, hint in _hints(kind).items()]
        names = {name for name, _ in fields}

        def instance(data):
            if type(data) is not dict or data.keys() != names:
                raise CacheShapeError(kind.__name__)
            return kind(**{name: field_decoder(data[name]) for name, field_decoder in fields})

        return instance
    if kind in (str, bool, int):
        def scalar(data):
            # `type(...) is`: a JSON true is not an int here, nor 1 a bool
            if type(data) is not kind:
                raise CacheShapeError(kind.__name__)
            return data

        return scalar
    if kind is float:
        def number(data):
            if type(data) not in (int, float):
                raise CacheShapeError("float")
            return float(data)

        return number
    raise CacheShapeError(f"cannot decode {kind!r}")


@lru_cache(maxsize=None)
def _hints(kind: type) -> Dict[str, Any]:
    hints = typing.get_type_hints(kind)
    return {f.name: hints[f.name] for f in dataclasses.fields(kind) if f.init}


def _check(kind: type, data: Any) -> Any:
    if not isinstance(data, kind):
        raise CacheShapeError(kind.__name__)
    return data


def _encode_fingerprint(fingerprint: Tuple) -> List:
    """(name, RemoteSummary | NOT_REMOTE | None) pairs, as [name, kind, summary] triples."""
    if not fingerprint:
        return []
    from raylint.semantics.project_index import CREATIONS, RemoteSummary
    from raylint.semantics.ray_names import NOT_REMOTE

    out = []
    for name, answer in fingerprint:
        if isinstance(answer, RemoteSummary):
            out.append([name, "remote", encode(answer)])
        elif name.startswith(CREATIONS) and isinstance(answer, tuple):
            out.append([name, "creations", encode(answer)])
        elif answer == NOT_REMOTE:
            out.append([name, "not-remote", None])
        elif answer is None:
            out.append([name, "unknown", None])
        else:
            raise CacheShapeError("fingerprint")
    return out


def _decode_fingerprint(data: Any) -> Tuple:
    from raylint.semantics.project_index import CREATIONS, RemoteSummary
    from raylint.semantics.ray_names import NOT_REMOTE

    out = []
    for item in _check(list, data):
        if not isinstance(item, list) or len(item) != 3:
            raise CacheShapeError("fingerprint")
        name, kind, summary = _check(str, item[0]), item[1], item[2]
        if kind == "remote":
            out.append((name, decode(RemoteSummary, summary)))
        elif kind == "creations" and name.startswith(CREATIONS):
            out.append((name, decode(Tuple[FrozenSet[str], ...], summary)))
        elif kind in ("not-remote", "unknown") and summary is None:
            out.append((name, NOT_REMOTE if kind == "not-remote" else None))
        else:
            raise CacheShapeError("fingerprint")
    return tuple(out)
