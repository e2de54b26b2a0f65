"""A small POSIX shell lexer: enough to find the `ray start` commands of a script and where they stand.

It reads quoting, backslash continuations, comments, command separators, `$(...)`/backticks and here-documents,
and never fails: text it cannot make sense of (an unterminated quote) simply ends the current word. It never
runs anything. Offsets are indices into the text given, so callers can map them to rows and columns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import List, Optional, Tuple

_SEPARATORS = ";&|()"
_BLANKS = " \t"
# Programs that run the here-document they are given as commands (`ssh worker <<EOF ... EOF`); any other
# here-document is data (`cat <<EOF > start.sh`).
_STDIN_RUNNERS = frozenset({"ssh", "bash", "sh", "zsh", "dash", "sudo", "su", "srun", "pdsh"})


@dataclass(frozen=True)
class Word:
    """One word after quote removal; `start`/`end` span its source text, `expands` marks a `$` or backtick
    outside single quotes (its value is known only when the script runs)."""

    text: str
    start: int
    end: int
    expands: bool = False
    quoted: bool = False


@dataclass(frozen=True)
class Comment:
    offset: int
    text: str  # from its `#` to the end of its line


@dataclass(frozen=True)
class Command:
    words: Tuple[Word, ...]


@dataclass
class Script:
    commands: List[Command]
    comments: List[Comment]
    # (first offset, last offset) of commands spread over several lines (continuations, multi-line quotes)
    spans: List[Tuple[int, int]]


def lex(text: str) -> Script:
    return _Lexer(text).run()


class _Lexer:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.commands: List[Command] = []
        self.comments: List[Comment] = []
        self.spans: List[Tuple[int, int]] = []
        self.words: List[Word] = []
        # (delimiter, strip tabs, body runs as commands) of here-documents waiting for the end of the line
        self.heredocs: List[Tuple[str, bool, bool]] = []
        self._reset_word()

    def _reset_word(self) -> None:
        self.chars: List[str] = []
        self.word_start: Optional[int] = None
        self.expands = False
        self.quoted = False

    def run(self) -> Script:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == "\\" and text.startswith("\n", self.pos + 1):
                self.pos += 2  # a continuation joins the lines
            elif char == "\\":
                self._begin()
                self.chars.append(text[self.pos + 1 : self.pos + 2])
                self.pos += 2
            elif char == "'":
                self._single_quoted()
            elif char == '"':
                self._double_quoted()
            elif char in "$`":
                self._expansion()
            elif char == "#" and self.word_start is None:
                end = text.find("\n", self.pos)
                end = len(text) if end < 0 else end
                self.comments.append(Comment(self.pos, text[self.pos : end]))
                self.pos = end
            elif char == "\n":
                self._end_command()
                self.pos += 1
                self._skip_heredocs()
            elif char in _BLANKS or char == "\r":
                self._end_word()
                self.pos += 1
            elif char in "<>":
                self._redirection()
            elif char in _SEPARATORS:
                if char == "&" and text.startswith(">", self.pos + 1):
                    self._redirection()
                    continue
                self._end_command()
                self.pos += 1
            else:
                self._begin()
                self.chars.append(char)
                self.pos += 1
        self._end_command()
        return Script(self.commands, self.comments, self.spans)

    def _begin(self) -> None:
        if self.word_start is None:
            self.word_start = self.pos

    def _end_word(self) -> None:
        if self.word_start is not None:
            self.words.append(Word("".join(self.chars), self.word_start, self.pos, self.expands, self.quoted))
        self._reset_word()

    def _end_command(self) -> None:
        self._end_word()
        if self.words:
            self.commands.append(Command(tuple(self.words)))
            first, last = self.words[0].start, self.words[-1].end
            if "\n" in self.text[first:last]:
                self.spans.append((first, last))
        self.words = []

    def _single_quoted(self) -> None:
        self._begin()
        self.quoted = True
        end = self.text.find("'", self.pos + 1)
        end = len(self.text) if end < 0 else end
        self.chars.append(self.text[self.pos + 1 : end])
        self.pos = end + 1

    def _double_quoted(self) -> None:
        self._begin()
        self.quoted = True
        text = self.text
        self.pos += 1
        while self.pos < len(text) and text[self.pos] != '"':
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                following = text[self.pos + 1]
                if following != "\n":
                    self.chars.append(following if following in '$`"\\' else "\\" + following)
                self.pos += 2
            elif char in "$`":
                self._expansion()
            else:
                self.chars.append(char)
                self.pos += 1
        self.pos += 1

    def _expansion(self) -> None:
        """`$name`, `${...}`, `$(...)` or a backtick substitution: kept as text, marked as run-time."""
        self._begin()
        text = self.text
        start = self.pos
        if text.startswith("$(", start) or text.startswith("${", start):
            opening, closing = text[start + 1], ")" if text[start + 1] == "(" else "}"
            depth, end = 0, start + 1
            while end < len(text):
                if text[end] == opening:
                    depth += 1
                elif text[end] == closing:
                    depth -= 1
                    if depth == 0:
                        break
                end += 1
            end += 1
        elif text[start] == "`":
            end = text.find("`", start + 1)
            end = len(text) if end < 0 else end + 1
        else:
            end = start + 1
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
            if end == start + 1 and end < len(text) and text[end] in "@*#?$!-0123456789":
                end += 1
            if end == start + 1:  # a lone `$` is a literal dollar
                self.chars.append("$")
                self.pos = end
                return
        self.expands = True
        self.chars.append(text[start:end])
        self.pos = end

    def _redirection(self) -> None:
        """`>`, `2>&1`, `&>`, `<<EOF`...: the operator is dropped, its target stays an ordinary word."""
        if self.chars and "".join(self.chars).isdigit() and not self.quoted:
            self._reset_word()  # the file-descriptor number belongs to the operator
        else:
            self._end_word()
        text = self.text
        start = self.pos
        if text.startswith("<<", start) and not text.startswith("<<<", start):
            self.pos += 2
            strip_tabs = text.startswith("-", self.pos)
            self.pos += strip_tabs
            self._heredoc_delimiter(strip_tabs)
            return
        while self.pos < len(text) and text[self.pos] in "<>&|":
            self.pos += 1
        if text[self.pos - 1] == "&":  # `>&2`, `2>&-`: the descriptor is part of the operator
            while self.pos < len(text) and (text[self.pos].isdigit() or text[self.pos] == "-"):
                self.pos += 1

    def _heredoc_delimiter(self, strip_tabs: bool) -> None:
        text = self.text
        while self.pos < len(text) and text[self.pos] in _BLANKS:
            self.pos += 1
        start = self.pos
        while self.pos < len(text) and text[self.pos] not in " \t\n;&|()<>":
            self.pos += 1
        delimiter = text[start : self.pos].replace("'", "").replace('"', "").replace("\\", "")
        runs = any(os.path.basename(word.text) in _STDIN_RUNNERS for word in self.words[:2])
        if delimiter:
            self.heredocs.append((delimiter, strip_tabs, runs))

    def _skip_heredocs(self) -> None:
        """Skip here-document bodies up to their delimiter lines; a body fed to ssh or a shell is lexed as
        the commands it is."""
        text = self.text
        for delimiter, strip_tabs, runs in self.heredocs:
            body_start = body_end = self.pos
            while self.pos < len(text):
                end = text.find("\n", self.pos)
                end = len(text) if end < 0 else end
                line = text[self.pos : end].rstrip("\r")
                body_end, self.pos = self.pos, end + 1
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
            else:
                body_end = len(text)
            if runs:
                self._add_body(body_start, body_end)
        self.heredocs = []

    def _add_body(self, start: int, end: int) -> None:
        script = _Lexer(self.text[start:end]).run()

        def shifted(word: Word) -> Word:
            return Word(word.text, word.start + start, word.end + start, word.expands, word.quoted)

        self.commands.extend(Command(tuple(map(shifted, command.words))) for command in script.commands)
        self.comments.extend(Comment(comment.offset + start, comment.text) for comment in script.comments)
        self.spans.extend((first + start, last + start) for first, last in script.spans)
