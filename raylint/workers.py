"""Worker processes for `--jobs`: they leave Ctrl-C to the parent (which prints the one line), and they
exit on their own once the parent is gone, even when it was killed with SIGKILL and could not stop them."""

from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, List, Optional, Sequence, TypeVar

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
    """`function` of each item over `jobs` processes of a pool of its own (see `Pool`)."""
    with Pool(jobs) as pool:
        yield from pool.imap_unordered(function, items, chunks=chunks)


class Pool:
    """Worker processes, started when the first work is handed over or earlier (`start`): a run over a large
    tree starts them while the parent still looks for files, and they import what they need meanwhile
    (`prepare`) instead of the parent doing it first. The owner ends them with `shutdown`."""

    def __init__(self, jobs: int, prepare: Optional[Callable[[], object]] = None):
        self.jobs = jobs
        self.prepare = prepare  # run in each worker as it starts (a module-level function: it is pickled)
        self._executor = None

    @property
    def started(self) -> bool:
        return self._executor is not None

    def start(self) -> None:
        """Start the workers now, if not yet started."""
        if self._executor is not None:
            return
        from concurrent.futures import ProcessPoolExecutor  # only a run of many files pays for it

        self._executor = ProcessPoolExecutor(max_workers=self.jobs, initializer=_start_worker,
                                             initargs=(os.getpid(), self.prepare))
        with _signals_held():
            for _ in range(self.jobs):  # `fork` starts every worker at the first submission, the others one each
                self._executor.submit(int)

    def imap_unordered(self, function: Callable[[T], R], items: Sequence[T], *, chunks: int) -> Iterator[R]:
        """`function` of each item, results as each group of items (`deal`) is done. Stopped early (an
        error, an interrupt), it ends the pool: what has not started is cancelled, and the workers are not
        waited for."""
        from concurrent.futures import as_completed

        self.start()
        try:
            with _signals_held():
                pending = [self._executor.submit(_apply, function, group) for group in deal(items, chunks)]
            for done in as_completed(pending):
                yield from done.result()
        except BaseException:
            self.shutdown(wait=False)
            raise

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        self.shutdown(wait=error_type is None)  # on an error or an interrupt, without waiting for the workers

    def shutdown(self, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=not wait)
            self._executor = None


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back while workers may be forked (see `_HELD_SIGNALS`)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS) if _CAN_HOLD else None
    try:
        yield
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


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


def _start_worker(raylint_pid: int, prepare: Optional[Callable[[], object]] = None) -> None:
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
    heap.reuse_freed_memory()  # and the next file reuses what the last one freed
    if prepare is not None:
        prepare()


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_CHECK_S)
        if os.getppid() != parent:
            os._exit(1)
