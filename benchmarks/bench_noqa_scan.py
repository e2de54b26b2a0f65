"""Time reading the comments of every file of a directory (default: the installed ray package's source), once
with the fast scanner and once with `tokenize`, the reference it replaces, and say how many files the fast
scanner handed to tokenize. CPU seconds, best of --repeat runs; not a test.

    python benchmarks/bench_noqa_scan.py [DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

from raylint.noqa.comment_scan import fast_scan, reference_scan


def _default_directory() -> str:
    spec = importlib.util.find_spec("ray")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("ray is not installed; pass a directory")
    return list(spec.submodule_search_locations)[0]


def _best(function, sources, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        for source in sources:
            function(source)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(Path(args.directory or _default_directory()).rglob("*.py"))
    sources = [path.read_text(encoding="utf-8", errors="surrogateescape") for path in files]
    fell_back = sum(fast_scan(source) is None for source in sources)
    fast = _best(fast_scan, sources, args.repeat)
    reference = _best(reference_scan, sources, args.repeat)
    lines = sum(source.count("\n") for source in sources)
    print(f"{len(files)} files, {lines} lines; {fell_back} handed to tokenize")
    print(f"fast scanner     {fast:7.2f} s CPU")
    print(f"tokenize         {reference:7.2f} s CPU   ({reference / fast:.1f}x the fast scanner)")


if __name__ == "__main__":
    main()
