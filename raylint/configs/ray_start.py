"""The `ray start` commands of a piece of shell: which start a head, which join one, and the head's CPU count."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Optional, Sequence

from raylint.configs.shell import Word, lex

# Commands whose arguments are text, never run: `echo "ray start --head"` starts nothing.
_PRINTERS = frozenset({"echo", "printf", "logger", ":", "cat", "grep"})
# Commands that run their quoted argument as a command line: `ssh host "ray start --address=..."`.
_RUNNERS = frozenset({"ssh", "pdsh", "srun", "eval", "sh", "bash", "zsh", "dash", "docker", "kubectl", "su", "sudo",
                      "nohup", "timeout", "env", "exec", "tmux", "screen"})
_MAX_NESTING = 3
# Words that may come before a command's name: `do ssh ...`, `if ray start ...`, `! cmd`.
_KEYWORDS = frozenset({"do", "then", "else", "elif", "if", "while", "until", "!", "{", "time", "in"})

ZERO, NONZERO, UNKNOWN = "zero", "nonzero", "unknown"
# `ray start` flags that take no value: a `$ARGS` after one of them is more flags, not its value.
_SWITCHES = frozenset({"--head", "--block", "--disable-usage-stats", "--verbose"})


@dataclass(frozen=True)
class RayStart:
    """One `ray start`: where `ray` stands, its `--head` flag word (None for a worker), whether it names an
    `--address`, and what `--num-cpus` says (None when absent). Offsets are exact only when `exact`."""

    ray: Word
    head: Optional[Word]
    address: bool
    num_cpus: Optional[str]
    exact: bool
    cpus_word: Optional[Word] = None  # the word holding the `--num-cpus` value


def ray_starts(text: str) -> List[RayStart]:
    """Every `ray start` command in `text`, including those inside the quoted command of an ssh or `bash -c`."""
    return _ray_starts(text, 0, True, 0)


def _ray_starts(text: str, base: int, exact: bool, depth: int) -> List[RayStart]:
    found = []
    for command in lex(text).commands:
        words = command.words
        name = _command_name(words)
        if name is None or name in _PRINTERS:
            continue
        for index, word in enumerate(words):
            if _is_ray(word) and index + 1 < len(words) and words[index + 1].text == "start":
                found.append(_read_options(word, words[index + 2 :], base, exact))
                break
        else:
            if depth < _MAX_NESTING and name in _RUNNERS:
                found.extend(_nested(words, base, exact, depth))
    return found


def _command_name(words: Sequence[Word]) -> Optional[str]:
    """The program a command runs, past keywords and `NAME=value` assignments."""
    for word in words:
        if word.text in _KEYWORDS or (not word.quoted and "=" in word.text and word.text.split("=")[0].isidentifier()):
            continue
        return os.path.basename(word.text)
    return None


def _nested(words: Sequence[Word], base: int, exact: bool, depth: int) -> List[RayStart]:
    """The commands inside quoted arguments; offsets map back only for a plain one-piece quoted word."""
    found = []
    for word in words[1:]:
        if not word.quoted or "ray" not in word.text:
            continue
        plain = not word.expands and word.end - word.start == len(word.text) + 2
        for start in _ray_starts(word.text, 0, plain and exact, depth + 1):
            if plain and exact:
                found.append(_shifted(start, base + word.start + 1))
            else:
                anchored = Word(start.ray.text, base + word.start, base + word.end)
                found.append(RayStart(anchored, start.head and anchored, start.address, start.num_cpus, False))
    return found


def _shifted(start: RayStart, base: int) -> RayStart:
    def shift(word: Optional[Word]) -> Optional[Word]:
        if word is None:
            return None
        return Word(word.text, word.start + base, word.end + base, word.expands, word.quoted)

    return RayStart(shift(start.ray), shift(start.head), start.address, start.num_cpus, start.exact,
                    shift(start.cpus_word))


def _is_ray(word: Word) -> bool:
    return not word.expands and os.path.basename(word.text) == "ray"


def _read_options(ray: Word, options: Sequence[Word], base: int, exact: bool) -> RayStart:
    head = None
    address = False
    num_cpus = None
    cpus_word = None
    hidden = False  # a `$EXTRA_ARGS` that may hold any flag, `--num-cpus` included
    for index, word in enumerate(options):
        text = word.text
        if word.expands and not text.startswith("-") and not _is_value(options, index):
            hidden = True
        elif text == "--head":
            head = word
        elif text == "--address" or text.startswith("--address="):
            address = True
        elif text.startswith("--num-cpus="):
            num_cpus = _count(text[len("--num-cpus="):], word.expands)
            cpus_word = word
        elif text == "--num-cpus":
            value = options[index + 1] if index + 1 < len(options) else None
            num_cpus = UNKNOWN if value is None else _count(value.text, value.expands)
            cpus_word = value
    if num_cpus is None and hidden:
        num_cpus = UNKNOWN
    start = RayStart(ray, head, address, num_cpus, exact, cpus_word)
    return _shifted(start, base) if base else start


def _is_value(options: Sequence[Word], index: int) -> bool:
    """Whether the word at `index` is the value of the flag before it (`--port $PORT`)."""
    if index == 0:
        return False
    flag = options[index - 1].text
    return flag.startswith("-") and "=" not in flag and flag not in _SWITCHES


def _count(value: str, expands: bool) -> str:
    """ZERO, NONZERO, or UNKNOWN for a value substituted when the script runs or not a number."""
    if expands:
        return UNKNOWN
    return numeric_count(value)


def numeric_count(value: str) -> str:
    try:
        number = float(value.strip())
    except ValueError:
        return UNKNOWN
    if number != number:  # NaN
        return UNKNOWN
    return ZERO if number == 0 else NONZERO
