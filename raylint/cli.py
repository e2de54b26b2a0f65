"""The `raylint` command line: parsing options and presenting results; the work happens in `api`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional, Tuple

import difflib
import importlib.util

import click

from raylint import __version__
from raylint import api
from raylint.config import ConfigError, load_settings, resolve_selectors
from raylint.discovery import DiscoveryError
from raylint.engine import SourceError, read_source
from raylint.fixing import FixPolicy
from raylint.registry import all_rules, code_for_name
from raylint.rule_docs import rule_page
from raylint.reporters import FORMATS, ReportContext, render, render_statistics

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageProblem(click.UsageError):
    """A bad option value: one line, exit 2."""


def _split_codes(values: Tuple[str, ...]) -> Optional[List[str]]:
    """`--select RAY001,RAY002 --select RAY005` -> ['RAY001', 'RAY002', 'RAY005']; None when not given."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="raylint")
def main() -> None:
    """raylint: find, fix and measure Ray performance anti-patterns."""


def _selection_options(function):
    for option in reversed((
        click.option("--select", multiple=True,
                     help="Rule codes, prefixes (RAY0) or ALL to enable, replacing the configured set."),
        click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable in addition."),
        click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable."),
        click.option("--preview/--no-preview", default=None,
                     help="Enable preview rules, whose precision is not yet shown on real code (config: preview)."),
        click.option("--unsafe-fixes/--no-unsafe-fixes", default=None,
                     help="Include fixes that may change behaviour (config: unsafe-fixes)."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                     help="Worker processes (default: CPU count)."),
        click.option("--force-exclude", is_flag=True, help="Apply exclusions to paths named on the command line too."),
        click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when anything was fixed."),
        click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary."),
    )):
        function = option(function)
    return click.argument("paths", nargs=-1, type=click.Path())(function)


@main.command()
@_selection_options
@click.option("--output-format", type=click.Choice(FORMATS), default="full", show_default=True)
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each finding.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--fix", is_flag=True, help="Apply fixes (safe ones; unsafe ones too with --unsafe-fixes).")
@click.option("--diff", is_flag=True, help="Show the fixes as a diff instead of applying them; write nothing.")
def check(paths, select, extend_select, ignore, preview, unsafe_fixes, config_path, no_cache, jobs, force_exclude,
          exit_non_zero_on_fix, quiet, output_format, output_file, statistics, exit_zero, fix, diff) -> None:
    """Check PATHS (default: the current directory) for Ray anti-patterns."""
    settings = _load_settings(config_path)
    unsafe = _unsafe(unsafe_fixes, settings)
    request = None
    if fix or diff:
        request = api.FixRequest(_policy(settings, unsafe), apply=not diff)
    result = _run(paths, settings, select, extend_select, ignore, force_exclude, jobs, no_cache, request, preview)
    _report_errors(result)
    if diff:
        _emit_diff(result, quiet)
        sys.exit(EXIT_FINDINGS if result.changes else EXIT_CLEAN)
    context = _context(result, output_format, output_file, quiet, unsafe)
    if statistics:
        text = render_statistics(result.diagnostics, context)
    else:
        text = render(output_format, result.diagnostics, context)
    _emit(text, output_file)
    sys.exit(_exit_code(result, exit_zero, exit_non_zero_on_fix))


@main.command("fix")
@_selection_options
@click.option("--apply", "apply_", is_flag=True, help="Write the fixes (default: only show them as a diff).")
def fix_command(paths, select, extend_select, ignore, preview, unsafe_fixes, config_path, no_cache, jobs, force_exclude,
                exit_non_zero_on_fix, quiet, apply_) -> None:
    """Rewrite Ray anti-patterns in PATHS: show a diff, or write the files with --apply."""
    settings = _load_settings(config_path)
    unsafe = _unsafe(unsafe_fixes, settings)
    request = api.FixRequest(_policy(settings, unsafe), apply=apply_)
    result = _run(paths, settings, select, extend_select, ignore, force_exclude, jobs, no_cache, request, preview)
    _report_errors(result)
    if not apply_:
        _emit_diff(result, quiet=True)
    if not quiet:
        click.echo(_fix_summary(result, apply_, unsafe), err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    if not apply_:
        sys.exit(EXIT_FINDINGS if result.changes else EXIT_CLEAN)
    sys.exit(_exit_code(result, False, exit_non_zero_on_fix))


def _run(paths, settings, select, extend_select, ignore, force_exclude, jobs, no_cache, request, preview):
    try:
        return api.check(
            list(paths),
            settings,
            select=_split_codes(select),
            extend_select=_split_codes(extend_select) or (),
            ignore=_split_codes(ignore) or (),
            force_exclude=force_exclude,
            jobs=jobs,
            use_cache=not no_cache,
            fix=request,
            preview=preview,
        )
    except (ConfigError, DiscoveryError) as error:
        _fail(error)


def _unsafe(flag: Optional[bool], settings) -> bool:
    return flag if flag is not None else bool(settings.unsafe_fixes)


def _policy(settings, unsafe: bool) -> FixPolicy:
    try:
        fixable = frozenset(resolve_selectors(settings.fixable, "fixable")) if settings.fixable is not None else None
        unfixable = frozenset(resolve_selectors(settings.unfixable, "unfixable"))
    except ConfigError as error:
        _fail(error)
    return FixPolicy(unsafe=unsafe, fixable=fixable, unfixable=unfixable)


def _context(result, output_format, output_file, quiet, unsafe) -> ReportContext:
    to_terminal = output_file is None and sys.stdout.isatty()
    return ReportContext(
        cwd=Path.cwd(),
        version=__version__,
        read_source=_read_for_report,
        files_checked=result.files_checked,
        elapsed=result.elapsed,
        color=to_terminal and output_format in ("full", "concise") and "NO_COLOR" not in os.environ,
        quiet=quiet,
        unsafe_fixes=unsafe,
        fixed=sum(change.fixed for change in result.changes if change.written),
    )


def _exit_code(result, exit_zero: bool, exit_non_zero_on_fix: bool) -> int:
    fixed = any(change.written for change in result.changes)
    if exit_non_zero_on_fix and fixed:
        return EXIT_FINDINGS
    if result.diagnostics and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _emit_diff(result, quiet: bool) -> None:
    cwd = Path.cwd()
    for change in result.changes:
        name = _display(change.path, cwd)
        diff = difflib.unified_diff(
            change.before.splitlines(keepends=True),
            change.after.splitlines(keepends=True),
            fromfile=name,
            tofile=name,
        )
        text = "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in diff)
        click.echo(text, nl=False)
    if not quiet:
        fixes = result.fixed
        click.echo(f"Would fix {fixes} {'error' if fixes == 1 else 'errors'}." if fixes else "No fixes available.", err=True)


def _fix_summary(result, applied: bool, unsafe: bool) -> str:
    fixed = sum(change.fixed for change in result.changes if change.written or not applied)
    remaining = len(result.diagnostics) if applied else len(result.diagnostics) - fixed
    verb = "Fixed" if applied else "Would fix"
    line = f"{verb} {fixed} {'finding' if fixed == 1 else 'findings'}, {max(remaining, 0)} remaining."
    hidden = sum(d.fix is not None and d.fix.applicability == "unsafe" for d in result.diagnostics)
    if hidden and not unsafe:
        line += f" {hidden} more {'fix is' if hidden == 1 else 'fixes are'} available with `--unsafe-fixes`."
    return line


def _report_errors(result) -> None:
    for error in result.errors:
        click.echo(f"raylint: error: {error}", err=True)


def _display(path: str, cwd: Path) -> str:
    try:
        return Path(path).relative_to(cwd).as_posix()
    except ValueError:
        return path


@main.command()
@click.argument("rule", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule.")
def rule(rule: Optional[str], show_all: bool) -> None:
    """Explain RULE (a code such as RAY001 or a name such as ray-get-in-loop)."""
    rules = all_rules()
    if show_all:
        width = max(len(info.name) for info in rules.values())
        click.echo(f"{'code':<8}{'name':<{width + 2}}{'fix':<14}default")
        for info in rules.values():
            default = "on" if info.default_enabled and not info.preview else ("preview" if info.preview else "off")
            click.echo(f"{info.code:<8}{info.name:<{width + 2}}{info.fix_availability:<14}{default}")
        return
    if rule is None:
        raise UsageProblem("give a rule code (e.g. RAY001) or --all")
    code = rule.upper() if rule.upper() in rules else None
    if code is None:
        try:
            code = code_for_name(rule)
        except KeyError:
            raise UsageProblem(f"unknown rule {rule!r}; expected one of {', '.join(rules)}") from None
    click.echo(rule_page(code), nl=False)


@main.command()
@click.argument("programs", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--repeat", type=click.IntRange(min=1), default=3, show_default=True,
              help="Timed rounds per version, after one warm-up round each.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=600, show_default=True,
              help="Seconds one run may take before it is killed and reported.")
@click.option("--compare", type=click.Choice(["stdout", "return"]), default="stdout", show_default=True,
              help="Compare the driver's standard output, or the value main() returns.")
@click.option("--safe-only", is_flag=True, help="Apply only safe fixes (default: every fix, unsafe ones too).")
@click.option("--address", help="Use this running cluster (auto, host:port, ray://...); nothing is started.")
@click.option("--submit", "submit_url", help="Submit both versions as Ray Jobs to this dashboard URL.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Worker nodes of the local cluster raylint starts.")
@click.option("--cpus-per-worker", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--output-format", type=click.Choice(["table", "json"]), default="table", show_default=True)
def validate(programs, repeat, timeout, compare, safe_only, address, submit_url, workers, cpus_per_worker,
             output_format) -> None:
    """Fix each PROGRAM, run original and fixed on a real Ray cluster, compare results and time them."""
    if importlib.util.find_spec("ray") is None:
        _fail("validate needs Ray: pip install 'raylint[ray]'")
    if address and submit_url:
        raise UsageProblem("--address and --submit are exclusive")
    from raylint.validate import session

    try:
        reports, machine = session.run(
            [Path(p) for p in programs],
            session.Request(repeat=repeat, timeout=timeout, compare=compare, safe_only=safe_only,
                            address=address, submit_url=submit_url, workers=workers,
                            cpus_per_worker=cpus_per_worker),
            progress=None if output_format == "json" else _progress,
        )
    except session.ValidationError as error:
        _fail(error)
    if output_format == "json":
        from raylint.validate.report import render_json

        click.echo(render_json(reports), nl=False)
    else:
        from rich.console import Console

        from raylint.validate.report import print_table

        print_table(reports, Console(), machine)
    sys.exit(EXIT_CLEAN if all(report.passed for report in reports) else EXIT_FINDINGS)


def _progress(message: str) -> None:
    click.echo(f"raylint validate: {message}", err=True)


def _load_settings(config_path: Optional[str]):
    try:
        return load_settings(Path(config_path) if config_path else None)
    except ConfigError as error:
        _fail(error)


def _read_for_report(filename: str) -> Optional[str]:
    try:
        return read_source(filename)
    except SourceError:
        return None


def _emit(text: str, output_file: Optional[str]) -> None:
    if output_file is None:
        if text:
            click.echo(text, nl=False)
        return
    try:
        Path(output_file).write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"{output_file}: {error.strerror or error}")


def _fail(error) -> None:
    message = str(error)
    if not message.startswith("raylint:"):
        message = f"raylint: {message}"
    click.echo(message, err=True)
    sys.exit(EXIT_ERROR)


def entry() -> None:
    """Console-script entry point: an unexpected exception becomes one line on stderr and exit code 2."""
    try:
        main.main(prog_name="raylint")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("raylint: interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence must catch everything
        click.echo(f"raylint: internal error: {type(error).__name__}: {error}", err=True)
        sys.exit(EXIT_ERROR)
