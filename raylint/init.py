"""`raylint init`: a commented `[tool.raylint]` table in pyproject.toml, and `"RAY"` in Ruff's
`lint.external` so that Ruff's own fix (RUF102) does not delete raylint's codes from `# noqa` comments.

TOML files are edited as text, a few lines at a time, so the user's comments and layout stay; every
edit is checked by parsing the result with tomllib and comparing it with the intended document.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from raylint.config import CONFIG_NAMES, PYPROJECT
from raylint.registry import rule_classes
from raylint.files.writer import WriteError, write_fixed

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

EXTERNAL_PREFIX = "RAY"
# Ruff reads the first of these it finds in a directory.
RUFF_CONFIGS = (".ruff.toml", "ruff.toml", PYPROJECT)

_HEADER = re.compile(r"^[ \t]*(\[\[?)[ \t]*([^\[\]#]+?)[ \t]*\]\]?[ \t]*(?:#.*)?$")


class InitError(Exception):
    """A config file that cannot be read, parsed or edited safely: nothing is written."""


@dataclass
class _File:
    path: Path
    text: str  # with "\n" line endings
    newline: str
    original: Optional[bytes]  # None: the file does not exist yet

    @classmethod
    def read(cls, path: Path) -> "_File":
        if not path.exists():
            return cls(path, "", "\n", None)
        try:
            data = path.read_bytes()
            text = data.decode("utf-8")
        except OSError as error:
            raise InitError(f"{path}: cannot read: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise InitError(f"{path}: not valid UTF-8") from None
        newline = "\r\n" if "\r\n" in text else "\n"
        return cls(path, text.replace("\r\n", "\n"), newline, data)

    def document(self) -> Dict[str, Any]:
        return _parse(self.text, self.path)

    def write(self, text: str) -> None:
        text = text.replace("\n", self.newline)
        try:
            if self.original is None:
                self.path.write_text(text, encoding="utf-8", newline="")
            else:
                write_fixed(str(self.path), text, self.original)
        except OSError as error:
            raise InitError(f"{self.path}: cannot write: {error.strerror or error}") from None
        except WriteError as error:
            raise InitError(str(error)) from None


def init_project(directory: Path) -> List[str]:
    """Configure raylint (and Ruff's `external`) in `directory`; returns what was done, one line each."""
    if not directory.is_dir():
        raise InitError(f"{directory}: not a directory")
    pyproject = _File.read(directory / PYPROJECT)
    existing = _raylint_config(directory, pyproject)
    if existing is not None:
        messages = [f"{existing.name} already configures raylint; nothing changed."]
        ruff = _ruff_config(directory, pyproject)
        if ruff is not None and EXTERNAL_PREFIX not in _external(ruff[0].document(), ruff[1]):
            messages.append(f'Ruff is configured in {ruff[0].path.name}: add "RAY" to its '
                            f"lint.external, or Ruff's fix deletes raylint's `# noqa` codes.")
        return messages
    ruff = _ruff_config(directory, pyproject)
    text = pyproject.text
    if text and not text.endswith("\n"):
        text += "\n"
    text += ("\n" if text.strip() else "") + raylint_table()
    messages = []
    if ruff is not None and ruff[0] is pyproject:
        edited = add_external(text, ruff[1], pyproject.path)
        if edited is not None:
            text = edited
            messages.append(_external_message(pyproject.path))
    _parse(text, pyproject.path)
    pyproject.write(text)
    verb = "Created" if pyproject.original is None else "Updated"
    messages.insert(0, f"{verb} {pyproject.path.name} with a [tool.raylint] table.")
    if ruff is not None and ruff[0] is not pyproject:
        edited = add_external(ruff[0].text, ruff[1], ruff[0].path)
        if edited is not None:
            ruff[0].write(edited)
            messages.append(_external_message(ruff[0].path))
    if ruff is not None and len(messages) == 1:
        messages.append(f'Ruff\'s lint.external in {ruff[0].path.name} already has "RAY".')
    return messages


def raylint_table() -> str:
    """The `[tool.raylint]` text `raylint init` writes: the selection, and every rule option at its default."""
    lines = [
        "[tool.raylint]",
        '# Rules to run: codes ("RAY001"), prefixes ("RAY0") or "ALL". Rules that are off by default,',
        "# such as RAY900 (unused `# noqa` codes), run only when named by their code.",
        'select = ["RAY"]',
        '# extend-select = ["RAY900"]',
        '# ignore = ["RAY003"]',
        "# unsafe-fixes = false  # true: also apply the fixes that may change behaviour",
        "",
        "# Rules switched off for some files (gitignore-style globs, relative to this file).",
        "# [tool.raylint.per-file-ignores]",
        '# "tests/**" = ["RAY001"]',
    ]
    for rule in rule_classes().values():
        if not rule.options:
            continue
        lines += ["", f"# {rule.code}: {rule.summary}", f"[tool.raylint.{rule.name}]"]
        for option in rule.options.values():
            allowed = f"; one of {', '.join(_toml_value(c) for c in option.choices)}" if option.choices else ""
            lines.append(f"{option.key} = {_toml_value(option.default)}  # {option.help}{allowed}")
    return "\n".join(lines) + "\n"


def add_external(text: str, prefix: str, path: Path) -> Optional[str]:
    """`text` (a Ruff config whose settings live under `prefix`: "tool.ruff" or "" for ruff.toml) with
    "RAY" in `lint.external`, or None when it is there already. Appends to an existing list (also the
    deprecated top-level `external`), else adds the key to `[lint]`, else to the Ruff table, else a new
    `[lint]` table at the end."""
    document = _parse(text, path)
    settings = _table(document, prefix)
    lint = settings.get("lint", {})
    for where, table in (("lint", lint), ("", settings)):
        if isinstance(table, dict) and isinstance(table.get("external"), list):
            if EXTERNAL_PREFIX in table["external"]:
                return None
            expected = copy.deepcopy(document)
            _table(expected, _join(prefix, where))["external"].append(EXTERNAL_PREFIX)
            for candidate in _appended(text, prefix, where):
                if _parses_to(candidate, expected):
                    return candidate
            raise InitError(_manual(path, prefix))
    expected = copy.deepcopy(document)
    _table(expected, prefix).setdefault("lint", {})["external"] = [EXTERNAL_PREFIX]
    for candidate in _created(text, prefix):
        if _parses_to(candidate, expected):
            return candidate
    raise InitError(_manual(path, prefix))


def _appended(text: str, prefix: str, where: str):
    """Texts with "RAY" appended to the `external` array, for each place the key may be spelt."""
    lines = text.split("\n")
    key_spellings = [(_join(prefix, where), r"(?:external|\"external\")")]
    if where == "lint":
        key_spellings.append((prefix, r"lint[ \t]*\.[ \t]*(?:external|\"external\")"))
    for section, key in key_spellings:
        first, last = _section_range(lines, section)
        if first is None:
            continue
        pattern = re.compile(rf"^[ \t]*{key}[ \t]*=[ \t]*\[")
        for index in range(first, last):
            match = pattern.match(lines[index])
            if match:
                start = sum(len(line) + 1 for line in lines[:index]) + match.end() - 1
                yield _append_to_array(text, start)


def _append_to_array(text: str, open_at: int) -> str:
    """Add "RAY" as the last element of the array whose `[` is at `open_at`, in the array's own layout."""
    close_at, last_value = _scan_array(text, open_at)
    if last_value is None:
        return text[: open_at + 1] + '"RAY"' + text[open_at + 1:]
    line_start = text.rfind("\n", 0, close_at) + 1
    own_line = not text[line_start:close_at].strip() and "\n" in text[open_at:close_at]
    comma = "" if text[last_value] == "," else ","
    if not own_line:
        return text[: last_value + 1] + comma + ' "RAY"' + text[last_value + 1:]
    value_line = text.rfind("\n", 0, last_value) + 1
    indent = re.match(r"[ \t]*", text[value_line:]).group(0)
    return (text[: last_value + 1] + comma + text[last_value + 1: line_start] + f'{indent}"RAY",\n'
            + text[line_start:])


def _scan_array(text: str, open_at: int) -> Tuple[int, Optional[int]]:
    """Where the array opened at `open_at` closes, and its last character that is not blank or comment."""
    depth, index, last = 0, open_at, None
    while index < len(text):
        char = text[index]
        if char == "#":
            index = text.find("\n", index)
            if index < 0:
                break
            continue
        if char in "\"'":
            quote = char * 3 if text.startswith(char * 3, index) else char
            end = index + len(quote)
            while True:
                end = text.find(quote, end)
                if end < 0:
                    raise InitError("unterminated string")
                if quote[0] == '"' and _escaped(text, end):
                    end += 1
                    continue
                break
            index = end + len(quote)
            last = index - 1
            continue
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return index, last
        if not char.isspace() and index != open_at:
            last = index
        index += 1
    raise InitError("unterminated array")


def _escaped(text: str, at: int) -> bool:
    backslashes = len(text[:at]) - len(text[:at].rstrip("\\"))
    return backslashes % 2 == 1


def _created(text: str, prefix: str):
    """Texts with a new `external = ["RAY"]`: under an existing `[lint]` header, as `lint.external` in the
    Ruff table, or in a new `[lint]` table at the end."""
    lines = text.split("\n")
    lint = _join(prefix, "lint")
    first, _last = _section_range(lines, lint)
    if first is not None and first > 0:
        yield "\n".join(lines[:first] + ['external = ["RAY"]'] + lines[first:])
    first, last = _section_range(lines, prefix)
    if first is not None:
        at = first
        if not prefix:
            # Top-level keys must precede every table: after the last one, or at the very top.
            keys = [i for i in range(first, last) if lines[i].strip() and not lines[i].lstrip().startswith("#")]
            at = keys[-1] + 1 if keys else 0
        yield "\n".join(lines[:at] + ['lint.external = ["RAY"]'] + lines[at:])
    body = text if not text or text.endswith("\n") else text + "\n"
    yield body + ("\n" if body.strip() else "") + f'[{lint}]\nexternal = ["RAY"]\n'


def _section_range(lines: List[str], name: str) -> Tuple[Optional[int], int]:
    """The rows [first, last) of a table's keys, `first` being the row after its header (0 for the top
    level), or (None, 0) when the text has no such header."""
    first: Optional[int] = 0 if not name else None
    for index, line in enumerate(lines):
        match = _HEADER.match(line)
        if not match:
            continue
        if first is not None:
            return first, index
        header = ".".join(part.strip().strip("\"'") for part in match.group(2).split("."))
        if match.group(1) == "[" and header == name:
            first = index + 1
    return first, len(lines)


def _parses_to(text: str, expected: Dict[str, Any]) -> bool:
    try:
        return tomllib.loads(text) == expected
    except tomllib.TOMLDecodeError:
        return False


def _raylint_config(directory: Path, pyproject: _File) -> Optional[Path]:
    for name in CONFIG_NAMES:
        if (directory / name).is_file():
            return directory / name
    if pyproject.original is not None and "raylint" in pyproject.document().get("tool", {}):
        return pyproject.path
    return None


def _ruff_config(directory: Path, pyproject: _File) -> Optional[Tuple[_File, str]]:
    """The file Ruff reads its settings from in `directory`, and the table they live under."""
    for name in RUFF_CONFIGS:
        path = directory / name
        if name == PYPROJECT:
            if pyproject.original is not None and "ruff" in pyproject.document().get("tool", {}):
                return pyproject, "tool.ruff"
        elif path.is_file():
            return _File.read(path), ""
    return None


def _external(document: Dict[str, Any], prefix: str) -> List[Any]:
    settings = _table(document, prefix)
    lint = settings.get("lint", {})
    found = lint.get("external") if isinstance(lint, dict) else None
    return found if isinstance(found, list) else (settings.get("external") or [])


def _table(document: Dict[str, Any], dotted: str) -> Dict[str, Any]:
    table = document
    for part in filter(None, dotted.split(".")):
        table = table[part]
    return table


def _parse(text: str, path: Path) -> Dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InitError(f"{path}: invalid TOML: {error}") from None


def _join(prefix: str, key: str) -> str:
    return ".".join(part for part in (prefix, key) if part)


def _manual(path: Path, prefix: str) -> str:
    return f'{path}: cannot edit Ruff\'s settings safely; add "RAY" to {_join(prefix, "lint.external")} yourself'


def _external_message(path: Path) -> str:
    return (f'Added "RAY" to Ruff\'s lint.external in {path.name}, so that Ruff keeps '
            "raylint's `# noqa` codes.")




def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(_toml_value(item) for item in value) + "]"
