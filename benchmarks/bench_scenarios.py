"""Every scenario of issue #12, each timed next to `ruff` on the same input and printed as a ratio.

Usage: python benchmarks/bench_scenarios.py [--only NAME ...] [--repeat N] [--timeout S] [--ray-dir DIR]

Scenarios (NAME):
  ray-cold, ray-warm   `raylint check` on the installed ray package's source, empty cache then warm cache,
                       against `ruff check --statistics` (cold: --no-cache; warm: ruff's own cache)
  findings-40, findings-400
                       `raylint check` on a generated file with 40 / 400 fixable RAY001 findings
  fix-40, fix-400      `raylint fix` (a diff, nothing written) on the same files, against `ruff check --diff`
  heavy-5mb            `raylint check` on a 5 MB generated file with about 61k findings
  clean-2mb, clean-5mb `raylint check` on a clean 2 MB / 5 MB Ray module with many remote functions
  lsp-100              the language server's re-lint of a file with 100 findings after an edit (in process)

Each subprocess run reports its wall time and the peak of the summed resident memory of the process and
all its children (sampled from /proc every 20 ms). Runs are repeated (--repeat, default 3) and printed as
min-max. Each of our runs is followed at once by ruff's, and the ratio is the median of those pairs' ratios:
the machine's speed drifts from one minute to the next, and two runs far apart compare the machine, not the
linters. The machine is shared, so read ranges, not single numbers. Not a test:
pytest does not collect it, and nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

REPO_ROOT = Path(__file__).resolve().parent.parent
CPU_SECONDS: List[float] = []  # of every subprocess run, in order
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

# The targets: a limit in seconds, a ratio to ruff, or a peak memory in MB.
TARGETS: Dict[str, str] = {
    "ray-cold": "<= 2x ruff",
    "ray-warm": "<= 0.3x ruff",
    "findings-40": "< 1 s",
    "findings-400": "< 1 s, linear (~10x of 40)",
    "fix-40": "< 3 s",
    "fix-400": "< 3 s, linear",
    "heavy-5mb": "finishes, < 1 GB",
    "clean-2mb": "< 5 s",
    "clean-5mb": "< 5 s",
    "lsp-100": "< 300 ms",
}


# -- generated inputs -------------------------------------------------------------------------------------


def findings_file(count: int, pad: int = 0) -> str:
    """A module with `count` fixable RAY001 findings, one comprehension per line."""
    lines = ["import ray", "", "", "@ray.remote(num_cpus=1)", "def square(x):", "    return x * x", ""]
    filler = "  # " + "x" * pad if pad else ""
    for i in range(count):
        lines.append(f"r{i} = [ray.get(square.remote(x)) for x in range({i + 2})]{filler}")
    return "\n".join(lines) + "\n"


def clean_module(megabytes: float) -> str:
    """A Ray module with no finding: many remote functions, each submitted by the next and fetched in one batch."""
    parts = ["import ray", "", ""]
    size, i = 0, 0
    limit = int(megabytes * 1024 * 1024)
    while size < limit:
        block = (
            f"@ray.remote(num_cpus=1)\n"
            f"def stage_{i}(values, scale={i}):\n"
            f"    total = 0\n"
            f"    for value in values:\n"
            f"        total += value * scale\n"
            f"    return total\n\n\n"
            f"def run_{i}(chunks):\n"
            f"    refs = [stage_{i}.remote(chunk) for chunk in chunks]\n"
            f"    return sum(ray.get(refs))\n\n\n"
        )
        parts.append(block)
        size += len(block)
        i += 1
    return "\n".join(parts)


def heavy_file() -> str:
    """About 5 MB and 61k RAY001 findings: the 400-finding pattern, padded to ~86 bytes a line."""
    return findings_file(61000, pad=20)


# -- measuring --------------------------------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants, from /proc."""
    children: Dict[int, List[int]] = {}
    rss: Dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


def run_process(cmd: List[str], cwd: str, env: Dict[str, str], timeout: float) -> Tuple[Optional[float], int, str]:
    """(wall seconds or None on timeout, peak summed RSS in bytes, stdout). The CPU seconds of the run and
    its children are added to CPU_SECONDS: on a shared machine they vary less than the wall time."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        done.set()
        return None, peak[0], ""
    elapsed = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_SECONDS.append(cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime)
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        sys.stderr.write(err)
        raise SystemExit(f"bench: `{' '.join(cmd)}` exited with {proc.returncode}")
    return elapsed, peak[0], out


def raylint_cmd(*args: str) -> List[str]:
    return [sys.executable, "-m", "raylint", *args]


def ruff_cmd(*args: str) -> List[str]:
    return [sys.executable, "-m", "ruff", *args]


class Bench:
    def __init__(self, workdir: str, repeat: int, timeout: float):
        self.workdir = workdir
        self.repeat = repeat
        self.timeout = timeout
        self.env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), self.env.get("PYTHONPATH")]))
        # as installed: bytecode cached (an environment that forbids it would time the compiler instead)
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "raylint")], check=True)

    def times(self, make_cmd: Callable[[int], List[str]], before: Callable[[int], None] = lambda i: None,
              alongside: Optional[List[str]] = None):
        """(wall seconds of each run or None on a timeout, peak memory, outputs); self.cpu: CPU seconds.
        With `alongside` (ruff's command), it runs right after each of our runs and self.ruff holds its wall
        seconds: the machine's speed drifts from one minute to the next, and a ratio is fair only between
        runs made at the same moment."""
        walls, peaks, outputs = [], [], []
        self.cpu, self.ruff = [], []
        for i in range(self.repeat):
            before(i)
            wall, peak, out = run_process(make_cmd(i), self.workdir, self.env, self.timeout)
            if wall is None:
                return None, max(peaks + [peak]), outputs
            walls.append(wall)
            self.cpu.append(CPU_SECONDS[-1])
            peaks.append(peak)
            outputs.append(out)
            if alongside is not None:
                self.ruff.append(run_process(alongside, self.workdir, self.env, self.timeout)[0])
        return walls, max(peaks), outputs


def _fmt(walls: Optional[List[float]]) -> str:
    if walls is None:
        return "timed out"
    if len(walls) == 1 or max(walls) - min(walls) < 0.005:
        return f"{statistics.median(walls):.3f} s"
    return f"{min(walls):.3f}-{max(walls):.3f} s"


def report(name: str, walls, peak: int, ruff_walls, extra: str = "", cpu=None, paired: bool = True) -> None:
    """One row. The ratio is the median of the ratios of runs made in pairs (ours, then ruff's at once),
    or, not `paired`, the ratio of the medians."""
    ratio = ""
    if cpu:
        extra = f"  cpu {_fmt(cpu)}{extra}"
    if ruff_walls and None in ruff_walls:
        ruff_walls = None  # ruff timed out
    if walls is not None and ruff_walls:
        if paired:
            value = statistics.median([ours / theirs for ours, theirs in zip(walls, ruff_walls)])
        else:
            value = statistics.median(walls) / statistics.median(ruff_walls)
        ratio = f"{value:.2f}x ruff"
    print(f"{name:13} raylint {_fmt(walls):>15}  ruff {_fmt(ruff_walls):>15}  {ratio:>11}  "
          f"peak {peak / 2**20:7.0f} MB  target {TARGETS[name]}{extra}", flush=True)


def ray_source_dir() -> Path:
    spec = importlib.util.find_spec("ray")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("bench: ray is not installed; pass --ray-dir")
    return Path(list(spec.submodule_search_locations)[0])


# -- scenarios --------------------------------------------------------------------------------------------


def bench_ray(bench: Bench, ray_dir: Path, only) -> None:
    if not ({"ray-cold", "ray-warm"} & only):
        return
    tmp = bench.workdir
    caches = [os.path.join(tmp, f"cache-{i}") for i in range(bench.repeat)]
    check = ["check", str(ray_dir), "--exit-zero", "--output-format", "concise", "--quiet"]
    ruff = ["check", str(ray_dir), "--statistics", "--exit-zero", "--isolated"]

    def fresh_cache(i: int) -> None:
        bench.env["RAYLINT_CACHE_DIR"] = caches[i]

    cold, cold_peak, _ = bench.times(lambda i: raylint_cmd(*check), fresh_cache,
                                     alongside=ruff_cmd(*ruff, "--no-cache"))
    if "ray-cold" in only:
        report("ray-cold", cold, cold_peak, bench.ruff, cpu=bench.cpu)
    if "ray-warm" in only:
        ruff_cache = ["--cache-dir", os.path.join(tmp, "ruff-cache")]
        run_process(ruff_cmd(*ruff, *ruff_cache), tmp, bench.env, bench.timeout)
        warm, warm_peak, _ = bench.times(lambda i: raylint_cmd(*check), fresh_cache,
                                         alongside=ruff_cmd(*ruff, *ruff_cache))
        report("ray-warm", warm, warm_peak, bench.ruff, cpu=bench.cpu)
    bench.env.pop("RAYLINT_CACHE_DIR", None)


def bench_file(bench: Bench, name: str, path: str, fix: bool) -> Optional[List[float]]:
    if fix:
        ours = raylint_cmd("fix", path, "--no-cache")
        theirs = ruff_cmd("check", path, "--diff", "--isolated", "--no-cache")
    else:
        ours = raylint_cmd("check", path, "--no-cache", "--output-format", "concise", "--quiet")
        theirs = ruff_cmd("check", path, "--isolated", "--no-cache", "--exit-zero", "--output-format", "concise")
    walls, peak, outputs = bench.times(lambda i: ours, alongside=theirs)
    found = ""
    if outputs and not fix:
        found = f"  ({sum(1 for line in outputs[0].splitlines() if ': RAY' in line):,} findings)"
    report(name, walls, peak, bench.ruff, found, cpu=bench.cpu)
    return walls


def bench_lsp(bench: Bench, path: str) -> None:
    """The server's lint of one document after an edit, in process, as `raylint server` runs it."""
    sys.path.insert(0, str(REPO_ROOT))
    from raylint import server
    from raylint.config import load_settings

    text = Path(path).read_text()
    settings = load_settings(start=Path(path))
    server.lint_document(text, path, settings)  # warm imports, as an open editor would have
    walls = []
    for i in range(max(bench.repeat, 5)):
        edited = text.replace("range(2)]", f"range({i + 3})]", 1)
        start = time.perf_counter()
        findings = server.lint_document(edited, path, settings)
        walls.append(time.perf_counter() - start)
    source = Path(path).parent / "lsp_edit.py"
    source.write_text(text)
    ruff_walls, _, _ = bench.times(lambda i: ruff_cmd("check", str(source), "--isolated", "--no-cache", "--exit-zero"))
    report("lsp-100", walls, 0, ruff_walls, f"  ({len(findings)} findings, in process: no memory figure)",
           paired=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(TARGETS), help="scenarios to run (default: all)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a run is killed")
    parser.add_argument("--ray-dir", type=Path, help="the source tree for ray-cold/ray-warm")
    args = parser.parse_args()
    only = set(args.only or TARGETS)
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, repeat {args.repeat}", flush=True)
    with tempfile.TemporaryDirectory(prefix="raylint-bench-") as tmp:
        bench = Bench(tmp, args.repeat, args.timeout)
        bench_ray(bench, (args.ray_dir or ray_source_dir()).resolve(), only)
        inputs = {
            "findings-40": lambda: findings_file(40), "findings-400": lambda: findings_file(400),
            "heavy-5mb": heavy_file, "clean-2mb": lambda: clean_module(2), "clean-5mb": lambda: clean_module(5),
        }
        linear = {}
        for name in ("findings-40", "findings-400", "fix-40", "fix-400", "heavy-5mb", "clean-2mb", "clean-5mb"):
            if name not in only:
                continue
            source = name.replace("fix-", "findings-")
            path = os.path.join(tmp, source.replace("-", "_") + ".py")
            if not os.path.exists(path):
                Path(path).write_text(inputs[source]())
            linear[name] = bench_file(bench, name, path, fix=name.startswith("fix-"))
        for small, large in (("findings-40", "findings-400"), ("fix-40", "fix-400")):
            if linear.get(small) and linear.get(large):
                ratio = statistics.median(linear[large]) / statistics.median(linear[small])
                print(f"{large}/{small.split('-')[0]}-40: {ratio:.1f}x the time for 10x the findings")
        if "lsp-100" in only:
            path = os.path.join(tmp, "lsp_100.py")
            Path(path).write_text(findings_file(100))
            bench_lsp(bench, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
