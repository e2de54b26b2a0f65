"""Worker processes for `--jobs`: they leave Ctrl-C to the parent (which prints the one line), and they
exit on their own once the parent is gone, even when it was killed with SIGKILL and could not stop them."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Callable, Iterator, List, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARENT_CHECK_S = 0.5
# Held back while the workers are forked, so that a worker never runs the parent's handler: its initializer
# runs only after multiprocessing's own set-up, and a Ctrl-C in between killed it there, before it watched
# for the parent's end (a worker left running, holding the parent's output open). Each worker lets them
# through once it ignores Ctrl-C; the parent, once its workers are started.
_HELD_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
_CAN_HOLD = hasattr(signal, "pthread_sigmask")


def imap_unordered(function: Callable[[T], R], items: Sequence[T], *, jobs: int, chunks: int) -> Iterator[R]:
    """`function` of each item over `jobs` processes, results as each group of items (`deal`) is done.
    Stopped early (an error, an interrupt), it cancels what has not started and does not wait for the
    workers."""
    from concurrent.futures import ProcessPoolExecutor, as_completed  # only a run of many files pays for it

    groups = deal(items, chunks)
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(os.getpid(),))
    try:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS) if _CAN_HOLD else None
        try:
            pending = [pool.submit(_apply, function, group) for group in groups]  # the workers start
        finally:
            if held is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        for done in as_completed(pending):
            yield from done.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def deal(items: Sequence[T], chunks: int) -> List[Sequence[T]]:
    """The items in groups, dealt like cards (item i to group i % n): the few slow files of a project sit
    together in one tree, and dealt out they spread over every group, so groups cost about the same and a
    few large ones keep the workers busy without a round trip to the parent every few files. Workers take
    the groups in order, so the last one to start decides when the run ends: the first three quarters of
    the items go into `chunks` groups, the last quarter into `chunks` more, a third their size, and the
    workers finish about together."""
    head = len(items) * 3 // 4
    groups: List[Sequence[T]] = []
    for part in (items[:head], items[head:]):
        count = min(chunks, len(part))
        groups.extend(part[start::count] for start in range(count))
    return groups


def _apply(function: Callable[[T], R], group: Sequence[T]) -> List[R]:
    return [function(item) for item in group]


def _start_worker(raylint_pid: int) -> None:
    # The terminal sends Ctrl-C to the whole process group; the parent alone reports it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _CAN_HOLD:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_SIGNALS)  # held since the fork (see above)
    import multiprocessing  # loaded already: the pool runs on it

    # The parent as it is now: raylint, or a fork server that itself ends with raylint (Python >= 3.14).
    parent = os.getppid()
    if parent != raylint_pid and multiprocessing.get_start_method() != "forkserver":
        os._exit(1)  # started by raylint itself, which was killed before this worker could watch it
    threading.Thread(target=_exit_with_parent, args=(parent,), name="raylint-parent-check", daemon=True).start()
    from raylint import heap

    heap.stop_keeping()  # a worker lints file after file: it frees each one


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent:
            os._exit(1)
