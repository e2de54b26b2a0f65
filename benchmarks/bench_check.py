"""Time `raylint check` on the installed `ray` package's own source, with a cold and then a warm cache.

Usage: python benchmarks/bench_check.py [PATH] [--jobs N] [--strict]

Runs the CLI as a subprocess, as a user would, with the cache in a fresh temporary directory given
through RAYLINT_CACHE_DIR. Prints one line per run (files, lines, seconds, lines per second) next to the
target for a 2-core machine. With --strict the exit code is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGETS_S = {"cold": 5.0, "warm": 0.5}


def ray_source_dir() -> Path:
    """The installed ray package's directory, found without importing ray (importing it takes seconds)."""
    spec = importlib.util.find_spec("ray")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("bench_check: the ray package is not installed in this interpreter; pass a PATH instead")
    return Path(list(spec.submodule_search_locations)[0])


def count_source(root: Path) -> tuple[int, int]:
    """Number of `*.py` files under root and their total line count."""
    files = lines = 0
    for path in root.rglob("*.py"):
        if not path.is_file():
            continue
        files += 1
        lines += len(path.read_bytes().splitlines())
    return files, lines


def run_check(target: Path, workdir: str, cache_dir: str, jobs: int | None) -> tuple[float, str]:
    """Run the CLI once and return its wall time and stdout; exit if it fails."""
    cmd = [sys.executable, "-m", "raylint", "check", str(target),
           "--exit-zero", "--output-format", "concise", "--quiet"]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    env = dict(os.environ, RAYLINT_CACHE_DIR=cache_dir)
    # Run this checkout's raylint even when another version is installed, from a neutral directory so
    # that the repository's own pyproject.toml and .gitignore play no part.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        sys.exit(f"bench_check: `{' '.join(cmd[1:])}` exited with {proc.returncode}")
    return elapsed, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path,
                        help="directory to lint (default: the installed ray package)")
    parser.add_argument("--jobs", type=int, help="passed on to `raylint check --jobs`")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a run misses its target")
    args = parser.parse_args()

    target = (args.path or ray_source_dir()).resolve()
    files, lines = count_source(target)
    print(f"target: {target} ({os.cpu_count()} CPUs, Python {sys.version.split()[0]})")

    missed = []
    outputs = {}
    with tempfile.TemporaryDirectory(prefix="raylint-bench-") as tmp:
        cache_dir = os.path.join(tmp, "cache")
        os.mkdir(cache_dir)
        for run in ("cold", "warm"):
            seconds, outputs[run] = run_check(target, tmp, cache_dir, args.jobs)
            target_s = TARGETS_S[run]
            verdict = "ok" if seconds < target_s else "MISSED"
            if seconds >= target_s:
                missed.append(run)
            print(f"{run}: {files:,} files, {lines:,} lines, {seconds:.2f} s, "
                  f"{lines / seconds:,.0f} lines/s (target < {target_s} s: {verdict})")
    if sorted(outputs["cold"].splitlines()) != sorted(outputs["warm"].splitlines()):
        print("warning: the warm run reported different findings from the cold run")
        return 1
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
