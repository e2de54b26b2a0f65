"""Ruff-style ecosystem check: lint pinned releases of real Ray-using packages and diff against a baseline.

    python scripts/ecosystem_check.py                      # download (once), lint, compare
    python scripts/ecosystem_check.py --update-baseline    # accept the current findings
    python scripts/ecosystem_check.py --packages modin,verl --prefilter-diff

Every rule change is judged on this diff: the findings added and removed per package and code, read
against the flagged code. Not part of pytest (it needs the package index). Downloads go through
`pip download --no-deps` into `.ecosystem_cache/` (gitignored); archives are unpacked without trusting
their member paths. raylint runs in a subprocess with json output, every rule (preview ones included),
no cache and an empty config, so the packages' own settings cannot change the result.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".ecosystem_cache"
BASELINE = Path(__file__).resolve().parent / "ecosystem_baseline.json"
# A binary wheel is pinned to one platform tag, so every machine lints the same files.
_BINARY = ("--only-binary=:all:", "--platform", "manylinux2014_x86_64", "--python-version", "3.11")


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    pip_args: Tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.name}=={self.version}"


PACKAGES: Tuple[Package, ...] = (
    Package("ray", "2.60.0", _BINARY),
    Package("modin", "0.32.0"),
    Package("xgboost-ray", "0.1.19"),
    Package("lightgbm-ray", "0.1.9"),
    Package("ray-lightning", "0.3.0"),
    Package("tune-sklearn", "0.5.0"),
    Package("raydp", "1.6.1"),
    Package("skypilot", "0.8.0"),
    Package("openrlhf", "0.6.0", _BINARY),
    Package("verl", "0.3.0.post1"),
    Package("ludwig", "0.10.4"),
)

Finding = Tuple[str, int, str]  # path inside the package, row, code


def _fail(message: str) -> None:
    print(f"ecosystem_check: {message}", file=sys.stderr)


def download(package: Package) -> Optional[Path]:
    """The downloaded archive, fetched once into the cache; None (and a message) if pip cannot get it."""
    folder = CACHE / "downloads" / package.key
    archives = sorted(folder.glob("*")) if folder.is_dir() else []
    if archives:
        return archives[0]
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder)]
    command += [*package.pip_args, package.key]
    result = subprocess.run(command, capture_output=True, text=True)
    archives = sorted(folder.glob("*"))
    if result.returncode != 0 or not archives:
        _fail(f"{package.key}: download failed: {result.stderr.strip().splitlines()[-1:] or result.returncode}")
        return None
    return archives[0]


def _inside(base: Path, member: str) -> bool:
    target = (base / member).resolve()
    return target == base or base in target.parents


def unpack(package: Package, archive: Path) -> Optional[Path]:
    """The unpacked tree (only .py and .ipynb files are kept); members that would escape it are skipped."""
    target = CACHE / "src" / package.key
    done = target / ".unpacked"
    if done.exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    base = target.resolve()
    wanted = (".py", ".ipynb")
    try:
        if archive.suffix == ".whl" or archive.suffix == ".zip":
            with zipfile.ZipFile(archive) as zipped:
                for info in zipped.infolist():
                    if info.filename.endswith(wanted) and _inside(base, info.filename):
                        zipped.extract(info, target)
        else:
            with tarfile.open(archive) as tarred:
                for member in tarred.getmembers():
                    if member.isfile() and member.name.endswith(wanted) and _inside(base, member.name):
                        source = tarred.extractfile(member)
                        if source is None:
                            continue
                        path = target / member.name
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_bytes(source.read())
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as error:
        _fail(f"{package.key}: cannot unpack {archive.name}: {error}")
        return None
    done.write_text(archive.name)
    return target


@dataclass
class Run:
    findings: Set[Finding]
    seconds: float
    crash: str  # empty when raylint exited normally with a JSON report


def lint(tree: Path, jobs: int, no_prefilter: bool) -> Run:
    """raylint over one unpacked package, every rule on, no cache, an empty config."""
    from raylint.registry import codes

    config = CACHE / "raylint.toml"
    config.write_text("# ecosystem check: raylint's defaults, whatever the packages configure\n")
    command = [
        sys.executable, "-m", "raylint", "check", "--select", ",".join(codes()), "--preview",
        "--output-format", "json", "--no-cache", "--exit-zero", "--config", str(config),
        "--jobs", str(jobs), ".",
    ]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("RAYLINT_NO_PREFILTER", None)
    if no_prefilter:
        env["RAYLINT_NO_PREFILTER"] = "1"
    started = time.perf_counter()
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    crash = ""
    if result.returncode != 0 or "Traceback" in result.stderr:
        crash = f"exit {result.returncode}\n{result.stderr.strip()}"
    findings: Set[Finding] = set()
    try:
        report = json.loads(result.stdout or "[]")
    except json.JSONDecodeError as error:
        return Run(findings, seconds, crash or f"unreadable JSON report: {error}\n{result.stderr.strip()}")
    for item in report:
        path = Path(item["filename"])
        relative = path.relative_to(tree.resolve()) if path.is_absolute() else path
        findings.add((relative.as_posix(), int(item["location"]["row"]), item["code"]))
    return Run(findings, seconds, crash)


def load_baseline() -> Dict[str, Set[Finding]]:
    if not BASELINE.exists():
        return {}
    data = json.loads(BASELINE.read_text(encoding="utf-8"))
    return {key: {(f[0], int(f[1]), f[2]) for f in rows} for key, rows in data["packages"].items()}


def save_baseline(baseline: Dict[str, Set[Finding]]) -> None:
    packages = {key: [list(f) for f in sorted(rows)] for key, rows in sorted(baseline.items())}
    text = json.dumps({"packages": packages}, indent=1) + "\n"
    BASELINE.write_text(text, encoding="utf-8")


def _by_code(findings: Iterable[Finding]) -> str:
    counts = Counter(code for _path, _row, code in findings)
    return ", ".join(f"{code} {counts[code]}" for code in sorted(counts)) or "none"


def _show_changes(title: str, findings: Set[Finding], limit: int) -> None:
    if not findings:
        return
    print(f"    {title} {len(findings)} ({_by_code(findings)})")
    for path, row, code in sorted(findings, key=lambda f: (f[2], f[0], f[1]))[:limit]:
        print(f"      {code} {path}:{row}")
    if len(findings) > limit:
        print(f"      ... {len(findings) - limit} more")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update-baseline", action="store_true", help="write the current findings as the baseline")
    parser.add_argument("--packages", help="comma-separated package names to check (default: all)")
    parser.add_argument(
        "--prefilter-diff", action="store_true", help="lint again with RAYLINT_NO_PREFILTER=1; any difference fails"
    )
    parser.add_argument("--jobs", type=int, default=2, help="raylint worker processes (default 2)")
    parser.add_argument("--show", type=int, default=40, help="findings listed per package and direction")
    args = parser.parse_args(argv)

    chosen = list(PACKAGES)
    if args.packages:
        names = {name.strip() for name in args.packages.split(",") if name.strip()}
        unknown = names - {p.name for p in PACKAGES}
        if unknown:
            _fail(f"unknown package(s): {', '.join(sorted(unknown))}; known: {', '.join(p.name for p in PACKAGES)}")
            return 2
        chosen = [p for p in PACKAGES if p.name in names]

    sys.path.insert(0, str(ROOT))
    baseline = load_baseline()
    current: Dict[str, Set[Finding]] = {}
    failures: List[str] = []
    total_seconds = 0.0
    for package in chosen:
        archive = download(package)
        tree = unpack(package, archive) if archive is not None else None
        if tree is None:
            failures.append(f"{package.key}: not available")
            continue
        run = lint(tree, args.jobs, no_prefilter=False)
        total_seconds += run.seconds
        current[package.key] = run.findings
        before = baseline.get(package.key)
        files = sum(1 for _ in tree.rglob("*.py"))
        print(f"{package.key}: {len(run.findings)} findings in {files} files, {run.seconds:.1f}s ({_by_code(run.findings)})")
        if run.crash:
            failures.append(f"{package.key}: raylint crashed")
            print(f"    CRASH: {run.crash}")
        if before is None:
            print("    (not in the baseline)")
        else:
            _show_changes("added", run.findings - before, args.show)
            _show_changes("removed", before - run.findings, args.show)
        if args.prefilter_diff:
            unfiltered = lint(tree, args.jobs, no_prefilter=True)
            if unfiltered.crash:
                failures.append(f"{package.key}: raylint crashed without the prefilter")
                print(f"    CRASH without the prefilter: {unfiltered.crash}")
            missed = unfiltered.findings - run.findings
            extra = run.findings - unfiltered.findings
            if missed or extra:
                failures.append(f"{package.key}: the prefilter changes the findings")
                _show_changes("only without the prefilter", missed, args.show)
                _show_changes("only with the prefilter", extra, args.show)
            else:
                print(f"    prefilter: same findings without it ({unfiltered.seconds:.1f}s unfiltered)")

    print(f"\ntotal: {sum(len(f) for f in current.values())} findings, raylint time {total_seconds:.1f}s")
    print(f"  before: {_by_code(f for key in current for f in baseline.get(key, ()))}")
    print(f"  now:    {_by_code(f for rows in current.values() for f in rows)}")
    if args.update_baseline:
        merged = dict(baseline)
        merged.update(current)
        save_baseline(merged)
        print(f"baseline written: {BASELINE.relative_to(ROOT)}")
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
