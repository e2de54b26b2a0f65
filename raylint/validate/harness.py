"""`raylint validate`: fix a program with raylint's own fixers, run the original and the fixed version
alternately on a real Ray cluster, and report whether they agree and how much faster the fix is."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Sequence

from raylint.config import enabled_codes, load_settings
from raylint.engine import LintOptions, read_source
from raylint.fixing import FixPolicy, fix_text
from raylint.validate.cluster import Cluster, LocalCluster
from raylint.validate.compare import stdout_difference, value_difference
from raylint.validate.runner import Run, run_program
from raylint.validate.schedulability import SchedulingWatch, wait_for_no_pending
from raylint.validate.stats import Timing, speedup, verdict

FIXED_SUFFIX = ".raylint-fixed.py"
# a fixed run whose pending tasks wait, with nothing changing, this many times the original's run time
# (and at least this long) cannot be scheduled
STALL_FACTOR = 3
STALL_FLOOR_S = 20.0


@dataclass
class ProgramReport:
    """What validating one program found; `status` is one of: ok, different, regression, failed,
    timeout, unschedulable after fix, nothing to fix, cannot run on this cluster."""

    program: str
    status: str
    codes: List[str] = field(default_factory=list)
    original: Optional[Timing] = None
    fixed: Optional[Timing] = None
    equal: Optional[bool] = None
    verdict: Optional[str] = None
    detail: Optional[str] = None

    @property
    def program_display(self) -> str:
        return display_path(self.program)

    @property
    def findings_fixed(self) -> int:
        return len(self.codes)

    @property
    def speedup(self) -> Optional[float]:
        if self.original is None or self.fixed is None:
            return None
        return speedup(self.original, self.fixed)

    @property
    def passed(self) -> bool:
        return self.status in ("ok", "nothing to fix", "cannot run on this cluster")

    def as_json(self) -> dict:
        return {
            "program": self.program,
            "status": self.status,
            "findings_fixed": self.findings_fixed,
            "codes": sorted(set(self.codes)),
            "original_s": _round(self.original.median) if self.original else None,
            "fixed_s": _round(self.fixed.median) if self.fixed else None,
            "original_range_s": [_round(v) for v in self.original.range] if self.original else None,
            "fixed_range_s": [_round(v) for v in self.fixed.range] if self.fixed else None,
            "speedup": _round(self.speedup) if self.speedup is not None else None,
            "equal": self.equal,
            "verdict": self.verdict,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Options:
    repeat: int = 3
    timeout: float = 600.0
    compare: str = "stdout"
    safe_only: bool = False


@dataclass
class FixedProgram:
    path: Path
    codes: List[str]
    needs_gpu: bool


def prepare_fixed(program: Path, safe_only: bool) -> Optional[FixedProgram]:
    """Write the fixed version next to the program (so relative paths and `__file__` still work) under a
    hidden name; None when raylint has nothing to fix in it."""
    settings = load_settings(start=program.parent)
    options = LintOptions(enabled=enabled_codes(settings),
                          rule_settings={code: dict(v) for code, v in settings.rule_options.items()})
    source = read_source(str(program))
    outcome = fix_text(source, str(program), options, FixPolicy(unsafe=not safe_only))
    if not outcome.codes or outcome.source == source:
        return None
    path = program.with_name(f".{program.stem}{FIXED_SUFFIX}")
    path.write_text(outcome.source, encoding="utf-8")
    needs_gpu = "num_gpus" in outcome.source and "num_gpus" not in source
    return FixedProgram(path, outcome.codes, needs_gpu)


Executor = Callable[[Path, Path], Run]


def validate_program(program: Path, cluster: Cluster, options: Options,
                     executor: Optional[Executor] = None, progress: Optional[Callable[[str], None]] = None
                     ) -> ProgramReport:
    """Validate one program; `executor(path, cwd)` runs one version (default: a local process attached
    to `cluster`)."""
    program = program.resolve()
    name = str(program)
    fixed = prepare_fixed(program, options.safe_only)
    if fixed is None:
        return ProgramReport(name, "nothing to fix")
    try:
        if fixed.needs_gpu and cluster.resources().get("GPU", 0) < 1:
            return ProgramReport(name, "cannot run on this cluster", fixed.codes,
                                 detail="the fixed version asks for a GPU and the cluster has none")
        run = executor or (lambda path, cwd, watch=None: run_program(
            path, cwd=cwd, address=cluster.address, timeout=options.timeout, compare=options.compare,
            extra_env=cluster.env, watch=watch))
        # only on a cluster raylint started: on a shared one, another job's pending work is not ours
        watched = executor is None and isinstance(cluster, LocalCluster)
        report = _measure(name, program, fixed, run, options, progress, cluster.address if watched else None)
        if report.status == "unschedulable after fix":
            # the killed driver's requests linger in the cluster's reports a few seconds: let them clear,
            # so that the next program does not see them
            wait_for_no_pending(cluster.address)
        return report
    finally:
        fixed.path.unlink(missing_ok=True)


def _measure(name, program: Path, fixed: FixedProgram, run: Executor, options: Options, progress,
             watch_address: Optional[str] = None) -> ProgramReport:
    cwd = program.parent
    original_runs: List[Run] = []
    fixed_runs: List[Run] = []
    for round_index in range(options.repeat + 1):  # round 0 is the warm-up, not timed
        for version, path, runs in (("original", program, original_runs), ("fixed", fixed.path, fixed_runs)):
            if progress:
                progress(f"{program.name}: {'warm-up' if round_index == 0 else f'round {round_index}'}, {version}")
            if version == "fixed" and watch_address is not None:
                # a stall counts only far beyond the time the original needed to finish
                stall = max(STALL_FLOOR_S, STALL_FACTOR * max(r.seconds for r in original_runs))
                result = run(path, cwd, SchedulingWatch(watch_address, stall).check)
            else:
                result = run(path, cwd)
            if not result.ok:
                return _failure(name, fixed.codes, version, result, options.timeout)
            runs.append(result)
    report = ProgramReport(name, "ok", fixed.codes,
                           Timing.of([r.seconds for r in original_runs[1:]]),
                           Timing.of([r.seconds for r in fixed_runs[1:]]))
    difference = _difference(original_runs, fixed_runs, options.compare)
    report.equal = difference is None
    report.verdict = verdict(report.original, report.fixed, fixed.codes)
    if difference is not None:
        report.status, report.detail = "different", difference
    elif report.verdict == "slower":
        report.status = "regression"
        report.detail = "every fixed run was slower than every original run"
    return report


def _difference(original_runs: Sequence[Run], fixed_runs: Sequence[Run], compare: str) -> Optional[str]:
    """The first difference between the first original run and any other run, or None."""
    reference = original_runs[0]
    for other in list(original_runs[1:]) + list(fixed_runs):
        if compare == "return":
            if other.value_error or reference.value_error:
                return other.value_error or reference.value_error
            difference = value_difference(reference.value, other.value)
        else:
            difference = stdout_difference(reference.stdout, other.stdout)
        if difference is not None:
            return difference if other in fixed_runs else "the original program is not deterministic:\n" + difference
    return None


def _failure(name: str, codes: List[str], version: str, run: Run, timeout: float) -> ProgramReport:
    if run.unschedulable is not None:
        return ProgramReport(name, "unschedulable after fix", codes, detail=f"the {version} version: {run.unschedulable}")
    if run.timed_out:
        return ProgramReport(name, "timeout", codes, detail=f"the {version} version ran over {timeout:g} s and was killed")
    tail = "\n".join(run.stderr.strip().splitlines()[-5:])
    return ProgramReport(name, "failed", codes, detail=f"the {version} version exited with code {run.returncode}:\n{tail}")


def display_path(path: str) -> str:
    try:
        return Path(path).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path


def _round(value: float) -> float:
    return round(value, 3)
