"""Valid code can be nested deeper than Python's default recursion limit allows a recursive walk
(a generated `a + b + ...` of thousands of terms): such a file is analysed again on a thread with a
large stack and a high limit, instead of crashing the run. Only a file that is too deep even then
is given up, and that one file reports it."""

from __future__ import annotations

import sys
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

# Enough for hundreds of thousands of nested nodes; the memory is only reserved, pages are touched as used.
STACK_BYTES = 512 << 20
RECURSION_LIMIT = 150_000

_lock = threading.Lock()
_state = threading.local()


class TooDeep(Exception):
    """The code is nested beyond what even the deep stack can walk."""


def call(function: Callable[..., T], *args, **kwargs) -> T:
    """`function(*args, **kwargs)`, retried on a deep stack when it exceeds the recursion limit."""
    if getattr(_state, "deep", False):
        return function(*args, **kwargs)  # already on the deep stack: the outer call reports it
    try:
        return function(*args, **kwargs)
    except RecursionError:
        pass
    return _on_deep_stack(function, args, kwargs)


def _on_deep_stack(function, args, kwargs):
    outcome = {}

    def run() -> None:
        _state.deep = True
        try:
            outcome["value"] = function(*args, **kwargs)
        except RecursionError:
            outcome["too_deep"] = True
        except BaseException as error:  # noqa: BLE001 - re-raised on the calling thread below
            outcome["error"] = error

    # The limit is process-wide: one deep walk at a time, and the old limit restored after it.
    with _lock:
        old_stack = threading.stack_size()
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
        try:
            try:
                threading.stack_size(STACK_BYTES)
                thread = threading.Thread(target=run, name="raylint-deep", daemon=True)
                thread.start()
            except (RuntimeError, ValueError, MemoryError):
                raise TooDeep("no thread with a large enough stack could be started") from None
            finally:
                threading.stack_size(old_stack)
            thread.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    if outcome.get("too_deep"):
        raise TooDeep(f"nested more than {RECURSION_LIMIT} levels deep")
    return outcome["value"]
