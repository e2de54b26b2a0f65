"""Time `raylint check` on generated files full of fixable findings of RAY003 and RAY101-RAY110: `check`
only plans their fixes (whether one exists, its safety and title), so its time must grow linearly with
the number of findings.

Usage: python benchmarks/bench_fix_plans_ray1xx.py [--blocks N ...] [--repeat N]

Each block of the generated module holds eight findings with a fix (RAY003 safe and unsafe, RAY101,
RAY102, RAY103, RAY105, RAY106, RAY110). Prints, per size, the findings and the fastest wall time of
`raylint check --no-cache` (a subprocess, as a user runs it). Not a test: nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

HEAD = "import multiprocessing\n\nimport numpy as np\nimport ray\n\nNUM = 20_000\n"
BLOCK = '''

@ray.remote
def load_{i}(path):
    return [path] * 3


@ray.remote
class Counter{i}:
    def __init__(self):
        self.n = 0

    def add(self):
        self.n += 1


@ray.remote(num_cpus=1)
def clean_{i}(rows, drop=0):
    return rows[drop:]


@ray.remote(num_cpus=1)
def render_{i}(i):
    return np.zeros((1024, 1024))


@ray.remote(num_cpus=1)
def _direct_{i}(x):
    return ray.put(x * 2)


@ray.remote(num_cpus=1)
def pool_{i}(paths):
    with multiprocessing.Pool(8) as pool:
        return pool.map(str, paths)


@ray.remote(num_cpus=1)
class Gateway{i}:
    async def one(self, x):
        ref = clean_{i}.remote(x)
        return ray.get(ref)


def named_ref_{i}(path):
    ref = load_{i}.remote(path)
    rows = ray.get(ref)
    cleaned = clean_{i}.remote(rows, drop=1)
    return ray.get(cleaned)


def frames_{i}(writer):
    refs = [render_{i}.remote(i) for i in range(NUM)]
    for frame in ray.get(refs):
        writer.write(frame)


def batches_{i}(batches):
    for batch in batches:
        @ray.remote(num_cpus=1)
        def score_{i}(x):
            return x * 2

        score_{i}.remote(batch)


def use_direct_{i}(x):
    return ray.get(_direct_{i}.remote(x))
'''


def module(blocks: int) -> str:
    return HEAD + "".join(BLOCK.format(i=i) for i in range(blocks))


def time_check(path: str, repeat: int) -> tuple:
    """(fastest wall seconds, number of findings) of `raylint check --no-cache` on `path`."""
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "raylint", "check", path, "--no-cache", "--exit-zero", "--output-format", "concise"]
    best, findings = None, 0
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run(cmd, cwd=os.path.dirname(path), env=env, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
        best = wall if best is None else min(best, wall)
        name = os.path.basename(path)
        findings = sum(line.startswith(f"{name}:") and " RAY" in line for line in out.stdout.splitlines())
    return best, findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, nargs="+", default=[25, 250])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="raylint-plans-") as tmp:
        for blocks in args.blocks:
            path = os.path.join(tmp, f"findings_{blocks}.py")
            Path(path).write_text(module(blocks), encoding="utf-8")
            wall, findings = time_check(path, args.repeat)
            print(f"{blocks:5d} blocks  {findings:6d} findings  check {wall:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
