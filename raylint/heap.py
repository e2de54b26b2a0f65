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
import re
from contextlib import contextmanager
from typing import Iterator, List, Optional, Tuple


# Below this size the parser's freed memory is not worth a call.
_TRIM_FROM_CHARS = 256 * 1024
_trims = True  # False in a worker (`reuse_freed_memory`)
# glibc's mallopt parameters, and what a worker sets them to (`reuse_freed_memory`)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_KEEP_FREED_BYTES = 256 << 20
_MMAP_FROM_BYTES = 32 << 20  # glibc's own ceiling for its adaptive threshold
# A module this big is parsed in pieces of about PIECE_CHARS (`_parse_in_pieces`).
SPLIT_FROM_CHARS = 1024 * 1024
PIECE_CHARS = 512 * 1024
# Where a piece may start: after a blank line, a statement that never continues the one before it.
_CUT = re.compile(r"\n\n(?=def |class |async def |@|import |from )")
# How much source text may have its tree and analysis kept until the process ends, when it ends fast: one
# file of this size is about 0.5 GB of objects, which exist at the peak anyway.
KEEP_CHARS = 6 * 1024 * 1024
# A file with this many findings is followed by reporting them, which reuses the memory its analysis frees.
KEEP_MAX_FINDINGS = 1000

_kept: list = []
_keep_budget = 0  # characters of source still allowed to be kept
_is_command = False  # the process is the `raylint` command (not a test or a program importing raylint)
_ending_fast = False  # the command asked to end the process without teardown (`exit_fast`)


def running_as_command() -> None:
    """Called by the `raylint` entry point, which ends the process when a fast-exiting command is done."""
    global _is_command
    _is_command = True


def exit_fast() -> None:
    """The current command leaves nothing to clean up at exit (`check`, `fix`): when the process is the
    command, it ends right after it, and `retire` keeps what it is given."""
    global _keep_budget, _ending_fast
    if _is_command:
        _keep_budget, _ending_fast = KEEP_CHARS, True


def ends_fast() -> bool:
    return _ending_fast


def stop_keeping() -> None:
    """In a new worker process forked from one that ends fast: it lints file after file, so it frees."""
    global _keep_budget, _ending_fast
    _keep_budget, _ending_fast = 0, False
    _kept.clear()


def reuse_freed_memory() -> None:
    """In a worker process, which parses file after file: the memory the parser frees is kept for the next
    parse instead of going back to the system, where each page would be faulted in again (a third of the
    page faults of a run over Ray's source). glibc returns the top of its heap once more than 128 KB is
    free, and serves blocks from 128 KB up by mapping pages of their own; both limits are raised, and the
    explicit trim after a big file is skipped. The memory stays the worker's, bounded by its biggest file."""
    global _trims
    _trims = False
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(_M_TRIM_THRESHOLD, _KEEP_FREED_BYTES)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_FROM_BYTES)
    except (ImportError, OSError, AttributeError):
        pass


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
    """`ast.parse`, without collections in the middle of building the tree; a big module in pieces."""
    with paused():
        tree = _parse_in_pieces(source, filename) if len(source) >= SPLIT_FROM_CHARS else None
        if tree is None:
            tree = ast.parse(source, filename=filename)
    if _trims and len(source) >= _TRIM_FROM_CHARS:
        _release_free_memory()
    return tree


def _parse_in_pieces(source: str, filename: str) -> Optional[ast.Module]:
    """The tree of a big module, parsed a few hundred kilobytes of top-level statements at a time: the
    parser's own copy of the tree then never holds more than one piece, which halves the peak memory of a
    5 MB module (and the time spent faulting it in). Each piece is preceded by as many line breaks as lines
    before it, so every position is the whole file's. None (parse it whole) when a piece does not parse:
    the whole file's own error is the one to report. A `__future__` import can change how the rest of a
    file parses, so such a file is parsed whole.

    The cuts are found by a text search (`_piece_starts`), which cannot tell a `def` in a string from a real
    one; the parse judges them. Every piece starts where the tokenizer starts, at a top-level statement (the
    first one at the top; the next ones because the piece before parsed). A cut inside a string, inside
    brackets or after a backslash leaves that piece before it unfinished, and a cut between a decorator and
    its `def` leaves it without its `def`: a syntax error either way, and the module is parsed whole.
    Otherwise each piece holds whole top-level statements (a cut never falls before an `else:` or the like),
    and its tree is the whole file's."""
    if "__future__" in source or "\r" in source:  # a lone CR breaks lines too: rows are counted by LF
        return None
    cuts = _piece_starts(source)
    if len(cuts) < 2:
        return None
    body: list = []
    for (start, row), (end, _) in zip(cuts, cuts[1:] + [(len(source), 0)]):
        try:
            piece = ast.parse("\n" * (row - 1) + source[start:end], filename=filename)
        except (SyntaxError, ValueError):
            return None
        body.extend(piece.body)
    return ast.Module(body=body, type_ignores=[])


def _piece_starts(source: str) -> List[Tuple[int, int]]:
    """(offset, row) where each piece begins: the first one at the top, the others at the first line after
    about every PIECE_CHARS of text that follows a blank line and starts a `def`, `class`, decorator or
    import at column 0 (a candidate: `_parse_in_pieces` says why the parse decides)."""
    cuts = [(0, 1)]
    row, last = 1, 0
    while True:
        found = _CUT.search(source, last + PIECE_CHARS)
        if found is None:
            return cuts
        offset = found.end()
        row += source.count("\n", last, offset)
        cuts.append((offset, row))
        last = offset


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
