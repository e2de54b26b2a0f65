"""The `raylint` command's entry point. It is imported before anything heavy, so Ctrl-C or SIGTERM at
any moment, start-up imports included, ends the run with one line and exit 130 (143 for SIGTERM),
never a traceback. Signals unwind the program like an exception, so every `finally` runs: temporary
files are removed, a started Ray cluster is stopped, and no file is left half-written."""

import os
import signal
import sys

EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


class Interrupted(BaseException):
    """Raised by the signal handlers. Not a KeyboardInterrupt, which click would turn into "Aborted!"
    and exit 1, and not an Exception, which code guarding against its own bugs would swallow."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum, frame):
    # One signal is enough: the clean-up it starts is bounded, and a second one must not cut it short.
    for handled in (signal.SIGINT, signal.SIGTERM):
        signal.signal(handled, signal.SIG_IGN)
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    signal.signal(signal.SIGINT, _raise_interrupted)
    signal.signal(signal.SIGTERM, _raise_interrupted)


def main() -> None:
    install_signal_handlers()
    try:
        from raylint import heap

        heap.running_as_command()
        from raylint.cli import run

        try:
            run()
        except SystemExit as done:
            if heap.ends_fast():
                _end(done.code)
            raise
    except (Interrupted, KeyboardInterrupt) as stop:
        terminated = getattr(stop, "signum", signal.SIGINT) == signal.SIGTERM
        _leave("raylint: terminated" if terminated else "raylint: interrupted",
               EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)


def _end(code) -> None:
    """End a command that asked for it (`heap.exit_fast`) without the interpreter's teardown, which would free
    every object of the run one by one (seconds for a big file's tree). Its output is flushed first; there
    is nothing else to clean up: files are written and closed, the worker pool is shut down."""
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    _flush()
    os._exit(code)


def _leave(message: str, code: int) -> None:
    """Say why and exit at once: the interpreter's own shutdown (joining worker pools, atexit hooks)
    could block or be interrupted again. Everything that needed cleaning up was, while unwinding."""
    for handled in (signal.SIGINT, signal.SIGTERM):
        signal.signal(handled, signal.SIG_IGN)
    _flush()
    try:
        os.write(2, (message + "\n").encode())
    except OSError:
        pass
    os._exit(code)


def _flush() -> None:
    """What Python would flush at exit, which `os._exit` skips; a closed pipe is not worth an error."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    main()
