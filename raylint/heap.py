"""The cyclic garbage collector and big syntax trees.

Parsing a large module creates millions of objects, and the analysis of one file adds as many again (scopes,
bindings, symbolic values); Python's collector would walk all of them in every full collection while the rules
run, although none of it is garbage before the file is done: on a 5 MB module that was half the run. So
collections wait while a file is parsed and linted, and the file's analysis breaks its own reference cycles
when it is done (`ModuleWalk.release`), so reference counting frees it; the collector then resumes for
whatever else the run creates.

The parser also builds a C-level copy of the tree in its own allocator and frees it once the Python tree
exists; glibc keeps those pages (fragmented among live ones), and Python's small objects never reuse them, so
after a big parse they are handed back to the system (`malloc_trim`): a third of the memory of a 5 MB file.

Freeing a file's tree and analysis object by object costs a quarter of its parse. A command-line run that ends
the process right after its report (`exit_fast`) does not need them freed at all: up to a budget of source
text, a file's tree and analysis are kept (`retire`) and the process ends without the interpreter's teardown,
as mypy does. A library caller, the language server and pool workers (which go on to other files) free at
once, as before."""

from __future__ import annotations

import ast
import gc
from contextlib import contextmanager
from typing import Iterator

# Below this size the parser's freed memory is not worth a call.
_TRIM_FROM_CHARS = 256 * 1024
# How much source text may have its tree and analysis kept until the process ends, when it ends fast: one
# file of this size is about 0.5 GB of objects, which exist at the peak anyway.
KEEP_CHARS = 6 * 1024 * 1024
# A file with this many findings is followed by reporting them, which reuses the memory its analysis frees.
KEEP_MAX_FINDINGS = 1000

_kept: list = []
_keep_budget = 0  # characters of source still allowed; 0 when the process does not end fast
_is_command = False  # the process is the `raylint` command (not a test or a program importing raylint)


def running_as_command() -> None:
    """Called by the `raylint` entry point, which ends the process when a fast-exiting command is done."""
    global _is_command
    _is_command = True


def exit_fast() -> None:
    """The current command leaves nothing to clean up at exit (`check`, `fix`): when the process is the
    command, it ends right after it, and `retire` keeps what it is given."""
    global _keep_budget
    if _is_command:
        _keep_budget = KEEP_CHARS


def ends_fast() -> bool:
    return _keep_budget > 0 or bool(_kept)


def stop_keeping() -> None:
    """In a new worker process forked from one that ends fast: it lints file after file, so it frees."""
    global _keep_budget
    _keep_budget = 0
    _kept.clear()


def retire(chars: int, findings: int, *objects) -> bool:
    """Keep `objects` (a file's tree and analysis, `chars` of source) until the process ends, when it ends
    fast and the budget allows; False when the caller should release them now."""
    global _keep_budget
    if chars > _keep_budget or findings >= KEEP_MAX_FINDINGS:
        return False
    _keep_budget -= chars
    _kept.append(objects)
    # The collector would otherwise walk all of them at its next run, as freshly made objects: nothing kept
    # is garbage before the process ends, so everything alive now is left out of every later collection.
    gc.freeze()
    return True


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
