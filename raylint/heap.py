"""The cyclic garbage collector and big syntax trees.

Parsing a large module creates millions of objects, and Python's collector would walk all of them again in
every full collection while the rules run, although a syntax tree holds no reference cycles: on a 5 MB
module that is half the run. So the parse runs with the collector paused, and the tree is then frozen (left
out of collections, still freed by reference counting) until its file is done; objects the rules create are
collected as usual.

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
    enabled = gc.isenabled()
    gc.disable()
    try:
        tree = ast.parse(source, filename=filename)
    finally:
        if enabled:
            gc.enable()
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
def frozen() -> Iterator[None]:
    """Everything alive on entry (the tree just parsed) is skipped by collections until exit. A program that
    froze objects itself (a forking server embedding raylint) keeps them frozen: nothing is done then."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
