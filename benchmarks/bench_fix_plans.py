"""Time `raylint check --no-cache` on generated modules full of fixable RAY001 (`for` loops and generator
expressions), RAY002, RAY004 and RAY005 findings: `check` only plans those fixes, so its time must grow
linearly with the number of findings.

Usage: python benchmarks/bench_fix_plans.py [--blocks N ...] [--repeat N]

Each block is four small functions with six findings (two RAY001, one RAY002, one RAY004, two RAY005).
Prints, per size, the findings, the best wall time and CPU time of the subprocess over the runs, and the
CPU time per finding. Not a test: pytest does not collect it, and nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Tuple

REPO_ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "import numpy as np", "import pandas as pd", "import ray", "", "",
    "@ray.remote", "def square(x):", "    return x * x", "", "",
    "@ray.remote(num_cpus=1)", "def col_mean(matrix, col):", "    return float(matrix[:, col].mean())", "", "",
    "@ray.remote(num_cpus=1)", "def chunk_sum(chunk):", "    return int(chunk.sum())", "", "",
]


def module(blocks: int) -> str:
    lines = list(HEADER)
    for i in range(blocks):
        lines += [
            f"def loop_{i}(xs):",
            "    out = []",
            "    for x in xs:",
            "        out.append(ray.get(square.remote(x)))",
            "    total = sum(ray.get(square.remote(x)) for x in xs)",
            "    return out, total",
            "", "",
            f"def put_{i}(cols):",
            "    matrix = np.zeros((1000, 1000))",
            "    return ray.get([col_mean.remote(matrix, c) for c in cols])",
            "", "",
            f"def fan_{i}():",
            "    refs = [square.remote(x) for x in range(100_000)]",
            "    return ray.get(refs)",
            "", "",
            f"def load_{i}():",
            f"    values = np.load('/data/values_{i}.npy')",
            "    refs = [chunk_sum.remote(values[s:s + 10]) for s in range(0, 100, 10)]",
            "    frame_ref = ray.put(pd.read_parquet('s3://lake/events/'))",
            "    return sum(ray.get(refs)), frame_ref",
            "", "",
        ]
    lines += ["if __name__ == '__main__':", "    ray.init()"]
    return "\n".join(lines) + "\n"


def run(path: str) -> Tuple[float, float, int]:
    """(wall seconds, CPU seconds, findings) of one `raylint check --no-cache --statistics`."""
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "raylint", "check", "--no-cache", "--statistics", path],
                          capture_output=True, text=True, env=env, cwd=str(REPO_ROOT))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = [line for line in done.stdout.splitlines() if line.startswith("Found ")]
    findings = int(found[0].split()[1]) if found else -1
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, nargs="+", default=[10, 100, 400])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        for blocks in args.blocks:
            path = os.path.join(workdir, f"plans_{blocks}.py")
            Path(path).write_text(module(blocks))
            runs: List[Tuple[float, float, int]] = [run(path) for _ in range(args.repeat)]
            wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
            findings = runs[0][2]
            print(f"{blocks:>5} blocks  {findings:>6} findings  wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
                  f"{1000 * cpu / max(findings, 1):6.2f} ms cpu per finding")
    return 0


if __name__ == "__main__":
    sys.exit(main())
