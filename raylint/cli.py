"""The `raylint` command line: parsing options and presenting results; the work happens in `api`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, NamedTuple, Optional, Tuple

import importlib.util

import click

from raylint import __version__
from raylint import api, heap
from raylint.config import ConfigError, load_settings, resolve_selectors
from raylint.files.discovery import DiscoveryError
from raylint.engine import SourceError, decode_source, read_source
from raylint.fixing import FixPolicy
from raylint.noqa.malformed import format_warning as format_noqa_warning
from raylint.registry import all_rules, code_for_name
from raylint.rule_docs import rule_page
from raylint.reporters import FORMATS, ReportContext, render, render_statistics

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# Below this many files a run is over before a progress bar would be worth drawing.
PROGRESS_THRESHOLD = 200


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
        click.option("--stdin-filename", help="Read the source from standard input and lint it as this file."),
    )):
        function = option(function)
    return click.argument("paths", nargs=-1, type=click.Path())(function)


# The output formats that print each fix's edits; the others need only whether a fix exists (`[*]`).
_FORMATS_WITH_EDITS = ("json", "json-lines", "sarif")


@main.command()
@_selection_options
@click.option("--output-format", type=click.Choice(FORMATS), default="full", show_default=True)
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), help="Write the report here.")
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of each finding.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--fix", is_flag=True, help="Apply fixes (safe ones; unsafe ones too with --unsafe-fixes).")
@click.option("--diff", is_flag=True, help="Show the fixes as a diff instead of applying them; write nothing.")
@click.option("--add-noqa", is_flag=True, help="Add a `# noqa: CODE` for every current finding, on its line.")
@click.option("--ignore-noqa", is_flag=True, help="Report findings whatever `# noqa` directives say.")
def check(paths, select, extend_select, ignore, preview, unsafe_fixes, config_path, no_cache, jobs, force_exclude,
          exit_non_zero_on_fix, quiet, stdin_filename, output_format, output_file, statistics, exit_zero, fix,
          diff, add_noqa, ignore_noqa) -> None:
    """Check PATHS (default: the current directory) for Ray anti-patterns; `-` reads standard input.

    With --stdin-filename and --fix, the fixed source goes to standard output and the report to standard
    error (as in Ruff), so an editor can replace its buffer with the output."""
    heap.exit_fast()
    paths, stdin_filename = _dash_is_stdin(paths, stdin_filename)
    settings = _load_settings(config_path, stdin_filename)
    unsafe = _unsafe(unsafe_fixes, settings)
    request = None
    if fix or diff:
        request = api.FixRequest(_policy(settings, unsafe), apply=not diff)
    if add_noqa and (fix or diff or stdin_filename is not None):
        raise UsageProblem("--add-noqa cannot be combined with --fix, --diff or --stdin-filename")
    stdin = _read_stdin(stdin_filename, paths)
    progress = _progress_bar(not quiet and output_format in ("full", "concise") and stdin is None)
    result = _run(paths, settings, select, extend_select, ignore, force_exclude, jobs, no_cache, request, preview,
                  stdin, progress, ignore_noqa, fix_edits=output_format in _FORMATS_WITH_EDITS)
    _report_errors(result)
    _warn_if_nothing_checked(result, stdin)
    if add_noqa:
        _add_noqa(result)
    if diff:
        _emit_diff(result, quiet)
        sys.exit(EXIT_FINDINGS if result.changes else EXIT_CLEAN)
    context = _context(result, output_format, output_file, quiet, unsafe, stdin)
    if statistics:
        text = render_statistics(result.diagnostics, context, output_format)
    else:
        text = render(output_format, result.diagnostics, context)
    if stdin is not None and fix:
        click.echo(_stdin_output(result, stdin), nl=False)
        _emit(text, output_file, err=True)
    else:
        _emit(text, output_file)
    sys.exit(_exit_code(result, exit_zero, exit_non_zero_on_fix))


@main.command("fix")
@_selection_options
@click.option("--apply", "apply_", is_flag=True, help="Write the fixes (default: only show them as a diff).")
def fix_command(paths, select, extend_select, ignore, preview, unsafe_fixes, config_path, no_cache, jobs, force_exclude,
                exit_non_zero_on_fix, quiet, stdin_filename, apply_) -> None:
    """Rewrite Ray anti-patterns in PATHS: show a diff, or write the files with --apply.

    With --stdin-filename the file on disk is never touched: the diff, or with --apply the whole fixed
    source (unchanged when there is nothing to fix), goes to standard output. `-` reads standard input."""
    heap.exit_fast()
    paths, stdin_filename = _dash_is_stdin(paths, stdin_filename)
    settings = _load_settings(config_path, stdin_filename)
    unsafe = _unsafe(unsafe_fixes, settings)
    request = api.FixRequest(_policy(settings, unsafe), apply=apply_)
    stdin = _read_stdin(stdin_filename, paths)
    progress = _progress_bar(not quiet and stdin is None)
    result = _run(paths, settings, select, extend_select, ignore, force_exclude, jobs, no_cache, request, preview,
                  stdin, progress)
    _report_errors(result)
    _warn_if_nothing_checked(result, stdin)
    if stdin is not None and apply_:
        click.echo(_stdin_output(result, stdin), nl=False)
    elif not apply_:
        _emit_diff(result, quiet=True)
    if not quiet:
        click.echo(_fix_summary(result, apply_, unsafe), err=True)
    if result.errors:
        sys.exit(EXIT_ERROR)
    if not apply_:
        sys.exit(EXIT_FINDINGS if result.changes else EXIT_CLEAN)
    sys.exit(_exit_code(result, False, exit_non_zero_on_fix))


def _run(paths, settings, select, extend_select, ignore, force_exclude, jobs, no_cache, request, preview,
         stdin=None, progress=None, ignore_noqa=False, fix_edits=True):
    try:
        if stdin is not None:
            return api.check_text(
                stdin.text,
                stdin.filename,
                settings,
                select=_split_codes(select),
                extend_select=_split_codes(extend_select) or (),
                ignore=_split_codes(ignore) or (),
                force_exclude=force_exclude,
                fix=request,
                preview=preview,
                ignore_noqa=ignore_noqa,
                fix_edits=fix_edits,
            )
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
            progress=progress,
            ignore_noqa=ignore_noqa,
            fix_edits=fix_edits,
        )
    except (ConfigError, DiscoveryError) as error:
        _fail(error)
    finally:
        if progress is not None:
            progress.close()


def _dash_is_stdin(paths, stdin_filename: Optional[str]):
    """`raylint check -` reads standard input, as in Ruff; it is then called `-` unless --stdin-filename names it."""
    if "-" not in paths:
        return paths, stdin_filename
    return tuple(path for path in paths if path != "-"), stdin_filename or "-"


class _Stdin(NamedTuple):
    filename: str
    text: str


def _read_stdin(filename: Optional[str], paths) -> Optional[_Stdin]:
    if filename is None:
        return None
    for path in paths:
        click.echo(f"raylint: warning: ignoring {path} in favour of standard input", err=True)
    try:
        return _Stdin(filename, decode_source(sys.stdin.buffer.read()))
    except SourceError as error:
        _fail(f"{filename}: {error}")


def _stdin_output(result, stdin: _Stdin) -> str:
    """The text an editor replaces its buffer with: the fixed source, or the source as it came."""
    return result.changes[0].after if result.changes else stdin.text


class _ProgressBar:
    """A transient bar on stderr, drawn only once the api reports a run of more than PROGRESS_THRESHOLD files."""

    def __init__(self) -> None:
        self.bar = None
        self.task = None

    def __call__(self, done: int, total: int) -> None:
        if total <= PROGRESS_THRESHOLD:
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("Checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("check", total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _progress_bar(wanted: bool) -> Optional[_ProgressBar]:
    """A progress bar only on a terminal: never on a pipe, in CI logs or around machine-readable output."""
    return _ProgressBar() if wanted and sys.stderr.isatty() else None


def _add_noqa(result) -> None:
    """Write the directives, say how many, and exit 0: the findings are now suppressed, not reported."""
    from raylint.noqa.add import add_noqa as add_noqa_directives  # only `--add-noqa` runs pay for these imports

    added = add_noqa_directives(result.diagnostics)
    for error in added.errors:
        click.echo(f"raylint: error: {error}", err=True)
    click.echo(f"Added {added.added} noqa {'directive' if added.added == 1 else 'directives'}.", err=True)
    sys.exit(EXIT_ERROR if added.errors else EXIT_CLEAN)


def _unsafe(flag: Optional[bool], settings) -> bool:
    return flag if flag is not None else bool(settings.unsafe_fixes)


def _policy(settings, unsafe: bool) -> FixPolicy:
    try:
        fixable = frozenset(resolve_selectors(settings.fixable, "fixable")) if settings.fixable is not None else None
        unfixable = frozenset(resolve_selectors(settings.unfixable, "unfixable"))
    except ConfigError as error:
        _fail(error)
    return FixPolicy(unsafe=unsafe, fixable=fixable, unfixable=unfixable)


def _context(result, output_format, output_file, quiet, unsafe, stdin=None) -> ReportContext:
    to_terminal = output_file is None and sys.stdout.isatty()
    read = _read_for_report
    if stdin is not None:
        path, text = os.path.abspath(stdin.filename), _stdin_output(result, stdin)

        def read_stdin(filename: str) -> Optional[str]:
            return text if filename == path else _read_for_report(filename)

        read = read_stdin

    return ReportContext(
        cwd=Path.cwd(),
        version=__version__,
        read_source=read,
        files_checked=result.files_checked,
        elapsed=result.elapsed,
        color=to_terminal and output_format in ("full", "concise") and "NO_COLOR" not in os.environ,
        quiet=quiet,
        unsafe_fixes=unsafe,
        fixed=sum(change.fixed for change in result.changes if change.written),
        run_summary=True,
    )


def _exit_code(result, exit_zero: bool, exit_non_zero_on_fix: bool) -> int:
    fixed = any(change.written for change in result.changes)
    if exit_non_zero_on_fix and fixed:
        return EXIT_FINDINGS
    if result.diagnostics and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _emit_diff(result, quiet: bool) -> None:
    import difflib

    cwd = Path.cwd()
    for change in result.changes:
        name = _display(change.path, cwd)
        # A notebook shows each changed cell's source, as Ruff does, rather than its JSON.
        parts = [(f"{name}:cell {cell.number}", cell.before, cell.after) for cell in change.cells]
        for label, before, after in parts or [(name, change.before, change.after)]:
            diff = difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=label,
                tofile=label,
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


def _warn_if_nothing_checked(result, stdin) -> None:
    """Ruff's warning: a directory without Python files is most likely the wrong one."""
    if stdin is None and result.files_checked == 0 and not result.diagnostics:
        click.echo("raylint: warning: No Python files found under the given path(s)", err=True)


def _report_errors(result) -> None:
    cwd = Path.cwd()
    for path, row, reason in result.noqa_warnings:
        click.echo(format_noqa_warning(_display(path, cwd), row, reason), err=True)
    for error in result.errors:
        click.echo(f"raylint: error: {error}", err=True)


def _display(path: str, cwd: Path) -> str:
    try:
        return Path(path).relative_to(cwd).as_posix()
    except ValueError:
        return path


@main.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
def init(directory: str) -> None:
    """Write a [tool.raylint] table into DIRECTORY's pyproject.toml (default: here); when the project
    configures Ruff, add "RAY" to Ruff's lint.external so that Ruff keeps raylint's # noqa codes."""
    from raylint.init import InitError, init_project

    try:
        messages = init_project(Path(directory))
    except InitError as error:
        _fail(error)
    for message in messages:
        click.echo(message)


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


@main.command()
@click.option("--address", help="The cluster's GCS address, HOST:PORT (default: $RAY_ADDRESS).")
@click.option("--source", "sources", multiple=True, type=click.Path(exists=True),
              help="Also analyse this directory and join each symptom to the code (repeatable).")
@click.option("--output-format", type=click.Choice(["full", "json"]), default="full", show_default=True)
@click.option("--since", "since_s", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Only tasks that ended (or were created) in the last SECONDS.")
def doctor(address, sources, output_format, since_s) -> None:
    """Read a running Ray cluster (read-only) and report the playbook's symptoms, DOC001-DOC007."""
    from raylint.doctor.run import outcome

    try:
        start = Path(sources[0]) if sources else None
        thresholds = load_settings(start=start.parent if start and start.is_file() else start).doctor
    except ConfigError as error:
        _fail(error)
    code, text, messages = outcome(address, sources, since_s, thresholds, output_format)
    click.echo(text, nl=False)
    for message in messages:
        click.echo(message, err=True)
    sys.exit(code)


@main.command()
def server() -> None:
    """Run the Language Server over standard input and output (needs `pip install 'raylint[lsp]'`)."""
    from raylint.server import MissingDependency, serve

    try:
        serve()
    except MissingDependency as error:
        _fail(error)


def _load_settings(config_path: Optional[str], stdin_filename: Optional[str] = None):
    """The config given, else the one found from the --stdin-filename's directory, else from the cwd."""
    try:
        return load_settings(Path(config_path) if config_path else None,
                             Path(stdin_filename) if stdin_filename else None)
    except ConfigError as error:
        _fail(error)


def _read_for_report(filename: str) -> Optional[str]:
    try:
        return read_source(filename)
    except SourceError:
        return None


def _emit(text: str, output_file: Optional[str], err: bool = False) -> None:
    if output_file is None:
        if text:
            click.echo(text, nl=False, err=err)
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


def run() -> None:
    """Run the command line: an unexpected exception becomes one line on stderr and exit code 2.
    Signals are handled around this, in `raylint.entry`."""
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
