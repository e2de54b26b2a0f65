"""Facts the fixers compute once per file (a tree's parent map, its taken names, its symbol table), forgotten
when the file's lint ends.

Every fix in a file asks for the same facts, so they are cached by their argument (the file's tree or text).
An `lru_cache` alone kept the last few files' trees, and the maps built over them, alive long after those
files were done: in a worker or the language server, hundreds of megabytes for big files."""

from __future__ import annotations

import functools
from typing import Callable, List, TypeVar

F = TypeVar("F", bound=Callable)

_CACHES: List = []


def per_file(function: F) -> F:
    """Cache `function` of one file's tree (or text) until `forget()`."""
    cached = functools.lru_cache(maxsize=4)(function)
    _CACHES.append(cached)
    return cached  # type: ignore[return-value]


def forget() -> None:
    """Drop every cached fact: the engine calls this when a file's lint ends (its fixes are built by then)."""
    for cached in _CACHES:
        cached.cache_clear()
