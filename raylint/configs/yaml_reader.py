"""Reading YAML as untrusted input: ruamel.yaml's composer builds node trees with positions and never
constructs Python objects (tags are just names), and aliases share nodes, so nothing expands.
Every failure becomes a YamlError with a position."""

from __future__ import annotations

import bisect
import re
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class YamlError(Exception):
    """The text is not YAML; `row` and `column` are 1-based."""

    def __init__(self, message: str, row: int = 1, column: int = 1):
        super().__init__(message)
        self.message, self.row, self.column = message, row, column


def compose(text: str) -> List[Node]:
    """The root node of each document (empty documents are left out)."""
    try:
        return [root for root in YAML(typ="safe", pure=True).compose_all(text) if root is not None]
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        if mark is None:
            raise YamlError(f"YAML error: {problem}") from None
        raise YamlError(f"YAML error: {problem}", mark.line + 1, mark.column + 1) from None
    except YAMLError as error:
        raise YamlError(f"YAML error: {_one_line(error)}") from None
    except RecursionError:
        raise YamlError("YAML error: nested too deeply to read") from None
    except Exception as error:  # noqa: BLE001 - a parser bug on hostile input must not end the run
        raise YamlError(f"YAML error: {type(error).__name__}: {_one_line(error)}") from None


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def get(node: Optional[Node], key: str) -> Optional[Tuple[ScalarNode, Node]]:
    """(key node, value node) of `key` in a mapping, following `<<` merge keys; None when absent."""
    for key_node, value in _pairs(node, set()):
        if key_node.value == key:
            return key_node, value
    return None


def value(node: Optional[Node], key: str) -> Optional[Node]:
    pair = get(node, key)
    return pair[1] if pair else None


def _pairs(node: Optional[Node], seen: set) -> Iterator[Tuple[ScalarNode, Node]]:
    if not isinstance(node, MappingNode) or id(node) in seen:
        return
    seen.add(id(node))
    merges = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            continue
        if key_node.value == "<<" and key_node.style is None:
            merges.append(value_node)
        else:
            yield key_node, value_node
    for merged in merges:  # explicit keys win over merged ones
        for source in merged.value if isinstance(merged, SequenceNode) else [merged]:
            yield from _pairs(source, seen)


def scalar(node: Optional[Node]) -> Optional[str]:
    return node.value if isinstance(node, ScalarNode) else None


def items(node: Optional[Node]) -> List[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def is_null(node: Optional[Node]) -> bool:
    return isinstance(node, ScalarNode) and node.style is None and node.value in ("", "~", "null", "Null", "NULL")


def is_block_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def scalars(roots: Sequence[Node]) -> Iterator[ScalarNode]:
    """Every scalar node once, aliases included only once."""
    seen = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            yield node
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for pair in node.value:
                stack.extend(pair)


class Positions:
    """Offsets <-> 1-based (row, column) in one text, with YAML's line breaks."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def row_col(self, offset: int) -> Tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def line_end(self, offset: int) -> int:
        """The offset of the line break ending the line that holds `offset` (or the end of the text)."""
        match = _LINE_BREAK.search(self.text, offset)
        return match.start() if match else len(self.text)

    def line_start(self, offset: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, offset) - 1]

    def newline(self) -> str:
        match = _LINE_BREAK.search(self.text)
        return match.group(0) if match else "\n"


def comments(text: str, roots: Sequence[Node], positions: Positions) -> List[Tuple[int, str, bool]]:
    """(row, text from `#`, alone on its line) for every YAML comment: a `#` at a line start or after a blank
    that no scalar contains. A block scalar's header line can hold a comment; its content cannot."""
    inside: List[Tuple[int, int]] = []
    for node in scalars(roots):
        start, end = node.start_mark.index, node.end_mark.index
        if is_block_scalar(node):
            start = positions.line_end(start) + 1
        if end > start:
            inside.append((start, end))
    inside.sort()
    starts = [span[0] for span in inside]
    found = []
    for match in re.finditer(r"(?:^|(?<=[ \t]))#[^\r\n]*", text, re.MULTILINE):
        offset = match.start()
        index = bisect.bisect_right(starts, offset) - 1
        if index >= 0 and offset < inside[index][1]:  # scalars never overlap
            continue
        row, _ = positions.row_col(offset)
        own_line = not text[positions.line_start(offset) : offset].strip()
        found.append((row, match.group(0), own_line))
    return found


def noqa_rows(roots: Sequence[Node], positions: Positions) -> Dict[int, int]:
    """Rows inside multi-line scalars, mapped to the row where their `# noqa` can stand: the header of a
    block scalar (`key: |  # noqa`), the last row of a multi-line plain or quoted scalar."""
    targets: Dict[int, int] = {}
    for node in scalars(roots):
        first = node.start_mark.line + 1
        last = positions.row_col(max(node.end_mark.index - 1, node.start_mark.index))[0]
        if last <= first:
            continue
        target = first if is_block_scalar(node) else last
        for row in range(first, last + 1):
            targets.setdefault(row, target)
    return targets
