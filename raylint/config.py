"""Project settings: find the config file, validate `[tool.raylint]`, and answer which rules apply where.

Keys mirror Ruff's (`select`, `ignore`, `per-file-ignores`, `exclude`, ...), so a Ruff user already knows
them. Every mistake becomes a one-line `ConfigError` naming the file, the key and what is allowed, because
a linter that silently ignores a typo in its config gives false confidence.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Set, Tuple, Union

from raylint import registry
from raylint.doctor import thresholds as doctor_thresholds
from raylint.doctor.thresholds import Thresholds

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

CONFIG_NAMES = (".raylint.toml", "raylint.toml")
PYPROJECT = "pyproject.toml"
CACHE_DIR_ENV = "RAYLINT_CACHE_DIR"

# Ruff's default list, less `site-packages` (linting an installed package is done on purpose) and plus our cache.
DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".raylint_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "venv",
)

# The files a directory walk lints (Ruff's `include`); YAML and shell files only when they are Ray configs.
DEFAULT_INCLUDE: Tuple[str, ...] = ("*.py", "*.pyi", "*.ipynb", "*.yaml", "*.yml", "*.sh", "*.bash")

PerFileIgnores = Tuple[Tuple[str, Tuple[str, ...]], ...]


class ConfigError(Exception):
    """One-line message naming the file, the key and what is allowed."""


@dataclass(frozen=True)
class Settings:
    """The validated configuration. Selector lists keep the user's spelling; `enabled_codes` resolves them."""

    root: Path
    cache_dir: Path
    config_path: Optional[Path] = None
    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: Tuple[str, ...] = ()
    include: Tuple[str, ...] = DEFAULT_INCLUDE
    extend_include: Tuple[str, ...] = ()
    per_file_ignores: PerFileIgnores = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    fixable: Optional[Tuple[str, ...]] = None
    unfixable: Tuple[str, ...] = ()
    # None means "not set", as in Ruff: the CLI then hints that hidden unsafe fixes exist.
    unsafe_fixes: Optional[bool] = None
    preview: bool = False
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    doctor: Thresholds = Thresholds()


def find_config(start: Path) -> Optional[Path]:
    """The nearest config file at or above `start`: `.raylint.toml`, `raylint.toml`, or a pyproject.toml
    with a `[tool.raylint]` table, in that order within one directory (Ruff's rule)."""
    found = _find(Path(os.path.abspath(start)))
    return found[0] if found else None


def load_settings(config: Optional[Path] = None, start: Optional[Path] = None) -> Settings:
    """Settings from an explicit `--config` file, else from the config found upwards from `start`
    (default: the cwd), else the defaults rooted at the cwd."""
    if config is not None:
        path = Path(os.path.abspath(config))
        document = _read_toml(path)
        table = (_tool_table(document, path) or {}) if path.name == PYPROJECT else document
        return _settings_from_table(table, path)
    found = _find(Path(os.path.abspath(start if start is not None else Path.cwd())))
    if found is None:
        return _settings_from_table({}, None)
    return _settings_from_table(found[1], found[0])


def resolve_selectors(selectors: Iterable[str], where: str) -> Set[str]:
    """Every rule code named by the selectors (codes, prefixes, `ALL`, rule names), for ignoring."""
    codes: Set[str] = set()
    for selector in selectors:
        codes |= _match_selector(selector, where)[0]
    return codes


def enabled_codes(
    settings: Settings,
    cli_select: Optional[Iterable[str]] = None,
    cli_extend_select: Iterable[str] = (),
    cli_ignore: Iterable[str] = (),
    preview: Optional[bool] = None,
) -> FrozenSet[str]:
    """The rules to run, with Ruff's precedence: `--select` replaces `select`; extend-select and ignore
    apply config first, then CLI. Prefixes only pick rules that are on by default and not in preview;
    `ALL` also picks the preview rules in preview mode (as in Ruff). Other rules are enabled by naming
    their exact code or name. A preview rule runs only in preview mode (`--preview` or
    `preview = true`), however it is selected."""
    in_preview = preview if preview is not None else settings.preview
    codes = _requested(settings, cli_select, cli_extend_select, cli_ignore, in_preview)
    if not in_preview:
        rules = registry.rule_meta()
        codes = {code for code in codes if not rules[code].preview}
    return frozenset(codes)


def _requested(settings: Settings, cli_select, cli_extend_select, cli_ignore, preview: bool = False) -> Set[str]:
    if cli_select is not None:
        codes = _selected(cli_select, "--select", preview)
    elif settings.select is not None:
        codes = _selected(settings.select, "select", preview)
    else:
        codes = {code for code, rule in registry.rule_meta().items() if _on_by_default(rule)}
    codes |= _selected(settings.extend_select, "extend-select", preview)
    codes |= _selected(cli_extend_select, "--extend-select", preview)
    codes -= resolve_selectors(settings.ignore, "ignore")
    codes -= resolve_selectors(cli_ignore, "--ignore")
    return codes


def ignored_for_file(settings: Settings, path: Union[str, Path]) -> FrozenSet[str]:
    """Codes that per-file-ignores switch off for `path`. Globs are gitignore-style and relative to the
    project root; a glob starting with `!` applies to the files it does not match (Ruff's rule)."""
    if not settings.per_file_ignores:
        return frozenset()
    absolute = os.path.abspath(path)
    root = os.path.abspath(settings.root)
    if absolute.startswith(root.rstrip(os.sep) + os.sep):
        target = os.path.relpath(absolute, root).replace(os.sep, "/")
    else:
        # Root-relative globs cannot apply outside the root; match the file name, as Ruff does.
        target = os.path.basename(absolute)
    ignored: Set[str] = set()
    for spec, negated, codes in _compiled_per_file_ignores(settings.per_file_ignores):
        if spec.match_file(target) != negated:
            ignored |= codes
    return frozenset(ignored)


# --- finding and reading files ---------------------------------------------------------------


def _find(start: Path) -> Optional[Tuple[Path, Dict[str, Any]]]:
    directory = start if start.is_dir() else start.parent
    for candidate_dir in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            path = candidate_dir / name
            if path.is_file():
                return path, _read_toml(path)
        pyproject = candidate_dir / PYPROJECT
        if pyproject.is_file():
            table = _tool_table(_read_toml(pyproject), pyproject)
            if table is not None:
                return pyproject, table
    return None


def _read_toml(path: Path) -> Dict[str, Any]:
    """The TOML document at `path`; the reader is loaded only when a configuration file exists."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib

    source = _display(path)
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = re.match(r"(.*) \(at line (\d+), column (\d+)\)$", message)
        if position:
            raise ConfigError(f"{source}:{position[2]}:{position[3]}: invalid TOML: {position[1]}") from None
        raise ConfigError(f"{source}: invalid TOML: {message}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: invalid TOML: the file is not valid UTF-8") from None
    except OSError as error:
        raise ConfigError(f"{source}: cannot read config: {error.strerror}") from None


def _tool_table(document: Dict[str, Any], path: Path) -> Optional[Dict[str, Any]]:
    """The `[tool.raylint]` table of a pyproject.toml, or None when it has none."""
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{_display(path)}: tool: got {_show(tool)}, expected a table")
    table = tool.get("raylint")
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{_display(path)}: [tool] raylint: got {_show(table)}, expected a table")
    return table


def _display(path: Path) -> str:
    """A path as the user would type it from the cwd, so error messages are short and clickable."""
    cwd = os.getcwd()
    absolute = os.path.abspath(path)
    if absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, cwd)
    return absolute


# --- validation ------------------------------------------------------------------------------------


class _Table:
    """One TOML table being validated; knows how to name itself in an error."""

    def __init__(self, source: str, header: str):
        self.source = source
        self.header = header

    def where(self, key: str) -> str:
        return f"{self.source}: [{self.header}] {key}" if self.header else f"{self.source}: {key}"

    def fail(self, key: str, value: Any, expected: str) -> ConfigError:
        return ConfigError(f"{self.where(key)}: got {_show(value)}, expected {expected}")


def _selector_list(table: _Table, key: str, value: Any) -> Tuple[str, ...]:
    selectors = _string_list(table, key, value)
    resolve_selectors(selectors, table.where(key))
    return selectors


def _string_list(table: _Table, key: str, value: Any) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise table.fail(key, value, "a list of strings")
    return tuple(value)


def _glob_list(table: _Table, key: str, value: Any) -> Tuple[str, ...]:
    globs = _string_list(table, key, value)
    for glob in globs:
        _compile_glob(glob, table.where(key))
    return globs


def _boolean(table: _Table, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise table.fail(key, value, "true or false")
    return value


def _path(table: _Table, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise table.fail(key, value, "a path as a string")
    return value


def _per_file_ignores(table: _Table, key: str, value: Any) -> PerFileIgnores:
    if not isinstance(value, dict):
        raise table.fail(key, value, 'a table of "glob" = ["RAY001", ...]')
    inner = _Table(table.source, f"{table.header}.{key}" if table.header else key)
    entries = []
    for glob, selectors in value.items():
        quoted = f'"{glob}"'
        _compile_glob(glob[1:] if glob.startswith("!") else glob, inner.where(quoted))
        entries.append((glob, _selector_list(inner, quoted, selectors)))
    return tuple(entries)


def _doctor(table: _Table, key: str, value: Any) -> Thresholds:
    try:
        return doctor_thresholds.parse(value)
    except doctor_thresholds.ThresholdError as error:
        raise ConfigError(f"{table.where(key)}.{error}") from None


# TOML key -> (Settings field, parser). per-file-ignores and extend-per-file-ignores share a field.
_KEYS: Dict[str, Tuple[str, Callable[[_Table, str, Any], Any]]] = {
    "cache-dir": ("cache_dir", _path),
    "doctor": ("doctor", _doctor),
    "exclude": ("exclude", _glob_list),
    "extend-exclude": ("extend_exclude", _glob_list),
    "extend-include": ("extend_include", _glob_list),
    "extend-per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "extend-select": ("extend_select", _selector_list),
    "fixable": ("fixable", _selector_list),
    "force-exclude": ("force_exclude", _boolean),
    "ignore": ("ignore", _selector_list),
    "include": ("include", _glob_list),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "preview": ("preview", _boolean),
    "respect-gitignore": ("respect_gitignore", _boolean),
    "select": ("select", _selector_list),
    "unfixable": ("unfixable", _selector_list),
    "unsafe-fixes": ("unsafe_fixes", _boolean),
}


def _settings_from_table(document: Mapping[str, Any], path: Optional[Path]) -> Settings:
    """Validate one `[tool.raylint]` table (or a raylint.toml document) into Settings."""
    root = path.parent if path is not None else Path(os.getcwd())
    is_pyproject = path is not None and path.name == PYPROJECT
    table = _Table(_display(path) if path is not None else "", "tool.raylint" if is_pyproject else "")
    rules_by_name = {rule.name: rule for rule in registry.rule_meta().values()}
    values: Dict[str, Any] = {}
    per_file_ignores: List[Tuple[str, Tuple[str, ...]]] = []
    rule_options: Dict[str, Dict[str, Any]] = {}
    for key, value in document.items():
        if key in _KEYS:
            name, parse = _KEYS[key]
            parsed = parse(table, key, value)
            if name == "per_file_ignores":
                per_file_ignores.extend(parsed)
            else:
                values[name] = parsed
        elif key in rules_by_name:
            rule_table = _Table(table.source, f"{table.header}.{key}" if table.header else key)
            if not isinstance(value, dict):
                raise table.fail(key, value, "a table of rule options")
            code = rules_by_name[key].code
            rule_options[code] = _rule_options(rule_table, registry.rule_classes()[code], value)
        else:
            raise ConfigError(f"{table.where(key)}: {_unknown_key_hint(key, table, rules_by_name)}")
    values["per_file_ignores"] = tuple(per_file_ignores)
    values["rule_options"] = rule_options
    values["cache_dir"] = _cache_dir(root, values.get("cache_dir"))
    return Settings(root=root, config_path=path, **values)


def _rule_options(table: _Table, rule: Any, options: Mapping[str, Any]) -> Dict[str, Any]:
    checked = {}
    for key, value in options.items():
        option = rule.options.get(key)
        if option is None:
            if not rule.options:
                raise ConfigError(f"{table.where(key)}: unknown option; {rule.name} has no options")
            allowed = ", ".join(repr(name) for name in sorted(rule.options))
            hint = _did_you_mean(key, rule.options)
            raise ConfigError(f"{table.where(key)}: unknown option{hint}; expected one of {allowed}")
        problem = option.validate(value)
        if problem is not None:
            raise table.fail(key, value, problem)
        checked[key] = value
    return checked


def _unknown_key_hint(key: str, table: _Table, rules_by_name: Mapping[str, Any]) -> str:
    by_code = {cls.code: name for name, cls in rules_by_name.items()}
    if key in by_code:
        header = f"{table.header}.{by_code[key]}" if table.header else by_code[key]
        return f"unknown key; per-rule tables are named after the rule: use [{header}]"
    hint = _did_you_mean(key, [*_KEYS, *rules_by_name])
    keys = ", ".join(sorted(_KEYS))
    rules = ", ".join(sorted(rules_by_name))
    return f"unknown key{hint}; expected one of {keys}, or a rule table: {rules}"


def _cache_dir(root: Path, configured: Optional[str]) -> Path:
    from_env = os.environ.get(CACHE_DIR_ENV)
    if from_env:
        return Path(os.path.abspath(os.path.expanduser(from_env)))
    if configured:
        return Path(os.path.abspath(root / os.path.expanduser(configured)))
    return root / ".raylint_cache"


def _compile_glob(glob: str, where: str) -> GitIgnoreSpec:
    try:
        from pathspec import GitIgnoreSpec  # only configurations with globs pay for importing it

        spec = GitIgnoreSpec.from_lines([glob])
    except ValueError:
        spec = None
    # A blank line, a comment or a lone "/" compiles to nothing, which would silently match nothing.
    if spec is None or not any(pattern.include is not None for pattern in spec.patterns):
        raise ConfigError(f"{where}: got {glob!r}, expected a gitignore-style glob")
    return spec


def _show(value: Any) -> str:
    """A value as TOML spells it, so the message echoes what the user wrote."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    by_folded = {candidate.lower(): candidate for candidate in candidates}
    close = difflib.get_close_matches(word.lower(), list(by_folded), n=1)
    return f" (did you mean {by_folded[close[0]]!r}?)" if close else ""


# --- selectors -------------------------------------------------------------------------------------


def _match_selector(selector: str, where: str) -> Tuple[Set[str], bool]:
    """The codes a selector names, and whether it names one rule exactly (a code or a rule name)."""
    classes = registry.rule_meta()
    if selector == "ALL":
        return set(classes), False
    if selector in classes:
        return {selector}, True
    for code, cls in classes.items():
        if cls.name == selector:
            return {code}, True
    # A prefix must include the whole linter prefix ("RAY"), as in Ruff: "R" is not a selector.
    prefixed = {
        code for code in classes if code.startswith(selector) and len(selector) >= len(code.rstrip("0123456789"))
    }
    if prefixed:
        return prefixed, False
    raise ConfigError(f"{where}: {_unknown_selector_hint(selector, classes)}")


def _unknown_selector_hint(selector: str, classes: Mapping[str, Any]) -> str:
    # Codes differ only in digits, so fuzzy matching them suggests nonsense; only fix their case.
    if selector.upper() in classes or selector.upper() == "ALL":
        hint = f" (did you mean {selector.upper()!r}?)"
    else:
        hint = _did_you_mean(selector, [cls.name for cls in classes.values()])
    rules = ", ".join(f"{code} ({cls.name})" for code, cls in classes.items())
    expected = f"expected 'ALL', a code or code prefix such as 'RAY0', or a rule: {rules}"
    return f"unknown rule selector {selector!r}{hint}; {expected}"


def _selected(selectors: Iterable[str], where: str, preview: bool = False) -> Set[str]:
    codes: Set[str] = set()
    classes = registry.rule_meta()
    for selector in selectors:
        matched, exact = _match_selector(selector, where)
        if exact:
            codes |= matched
        elif selector == "ALL" and preview:
            codes |= {code for code in matched if _on_by_default(classes[code]) or classes[code].preview}
        else:
            codes |= {code for code in matched if _on_by_default(classes[code])}
    return codes


def _on_by_default(rule: Any) -> bool:
    return rule.default_enabled and not rule.preview


@lru_cache(maxsize=None)
def _compiled_per_file_ignores(entries: PerFileIgnores) -> Tuple[Tuple[GitIgnoreSpec, bool, FrozenSet[str]], ...]:
    compiled = []
    for glob, selectors in entries:
        negated = glob.startswith("!")
        pattern = glob[1:] if negated else glob
        where = f'per-file-ignores "{glob}"'
        compiled.append((_compile_glob(pattern, where), negated, frozenset(resolve_selectors(selectors, where))))
    return tuple(compiled)
