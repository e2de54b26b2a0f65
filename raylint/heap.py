"""The cyclic garbage collector and big syntax trees.

Parsing a large module creates millions of objects, and the analysis of one file adds as many again (scopes,
bindings, symbolic values); Python's collector would walk all of them in every full collection while the rules
run, although none of it is garbage before the file is done: on a 5 MB module that was half the run. So
collections wait while a file is parsed and linted, and the file's analysis breaks its own reference cycles
when it is done (`ModuleWalk.release`), so reference counting frees it; the collector then resumes for
whatever else the run creates.

The parser also builds a C-level copy of the tree in its own allocator and frees it once the Python tree
exists; glibc keeps those pages (fragmented among live ones), and Python's small objects never reuse them, so
after a big parse they are handed back to the system (`malloc_trim`): a third of the memory of a 5 MB file."""

from __future__ import annotations

import ast
import gc
from contextlib import contextmanager
from typing import Iterator

# Below this size the parser's freed memory is not worth a call.
_TRIM_FROM_CHARS = 256 * 1024


def parse(source: str, filename: str) -> ast.Module:
    """`ast.parse`, without collections in the middle of building the tree."""
    with paused():
        tree = ast.parse(source, filename=filename)
    if len(source) >= _TRIM_FROM_CHARS:
        _release_free_memory()
    return tree


def _release_free_memory() -> None:
    """Return the C allocator's free pages to the system; a no-op where it is not glibc."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (ImportError, OSError, AttributeError):
        pass


@contextmanager
def paused() -> Iterator[None]:
    """No collections until exit (the caller's setting is restored, even on an error)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
