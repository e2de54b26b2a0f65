"""Worker processes for `--jobs`: they leave Ctrl-C to the parent (which prints the one line), and they
exit on their own once the parent is gone, even when it was killed with SIGKILL and could not stop them."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARENT_CHECK_S = 0.5
# Held back while the workers are forked, so that a worker never runs the parent's handler: its initializer
# runs only after multiprocessing's own set-up, and a Ctrl-C in between killed it there, before it watched
# for the parent's end (a worker left running, holding the parent's output open). Each worker lets them
# through once it ignores Ctrl-C; the parent, once its workers are started.
_HELD_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})
_CAN_HOLD = hasattr(signal, "pthread_sigmask")


def imap(function: Callable[[T], R], items: Iterable[T], *, jobs: int, chunksize: int) -> Iterator[R]:
    """`map(function, items)` over `jobs` processes, results in order. Stopped early (an error, an
    interrupt), it cancels what has not started and does not wait for the workers."""
    from concurrent.futures import ProcessPoolExecutor  # only a run with many files to lint pays for it

    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker)
    try:
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS) if _CAN_HOLD else None
        try:
            results = pool.map(function, items, chunksize=chunksize)  # submits everything: the workers start
        finally:
            if held is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        yield from results
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _start_worker() -> None:
    # The terminal sends Ctrl-C to the whole process group; the parent alone reports it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _CAN_HOLD:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD_SIGNALS)  # held since the fork (see above)
    # The parent as it is now: raylint, or a fork server that itself ends with raylint (Python >= 3.14).
    parent = os.getppid()
    threading.Thread(target=_exit_with_parent, args=(parent,), name="raylint-parent-check", daemon=True).start()
    from raylint import heap

    heap.stop_keeping()  # a worker lints file after file: it frees each one


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent:
            os._exit(1)
