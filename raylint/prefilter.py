"""Which rules could possibly report in a file, decided from its text before it is parsed.

Most files of a large code base never touch the Ray APIs a rule looks at; parsing and walking them is
most of the cost of a run. Every rule reports only after resolving some Ray API or remote definition by
name, and raylint resolves names only through the identifiers written in the source (an import, an
attribute, an assignment of them). So a rule cannot report in a file where none of the identifiers below
occurs as a whole word: that is what makes the filter lose nothing. Two facts carry everything:

- no identifier `ray`: nothing in the file imports Ray, and every rule needs Ray imported;
- no identifier `remote`: no remote definition (`@ray.remote`, `ray.remote(f)`) and no submission
  (`X.remote(...)`), so no task body, no actor and nothing for the project index either;
- a Ray function such as `ray.get` (`get`, `put`, `wait`, `init`) is reached through the module `ray` or a name bound to it: when every
  `ray` in the text is a plain `import ray` or an attribute access `ray.x`, only `ray.get` (white space,
  line continuations and comments allowed around the dot) reaches it, and `d.get(k)` does not count.

Python compares identifiers after NFKC normalization (`ｒａｙ` is `ray`), so non-ASCII text is normalized
before it is searched. A rule missing from RULE_WORDS always runs. RAYLINT_NO_PREFILTER=1 turns the filter
off; tests/test_prefilter.py lints the fixtures and a sample of Ray's own source both ways and requires
identical findings.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Dict, FrozenSet, Iterable, List, Tuple

ENV_SWITCH = "RAYLINT_NO_PREFILTER"
RAY_WORD = "ray"
REMOTE_WORD = "remote"

# code -> identifiers of which at least one must occur for the rule to be able to report.
RULE_WORDS: Dict[str, Tuple[str, ...]] = {
    "RAY001": ("get",),  # a `ray.get` call
    "RAY002": (REMOTE_WORD, "Pool"),  # a submission, or a task of Ray's multiprocessing Pool
    "RAY003": (REMOTE_WORD,),  # a remote definition
    "RAY004": (REMOTE_WORD,),  # a submission
    "RAY005": ("put", REMOTE_WORD),  # a `ray.put` or a submission
    "RAY101": ("get", "wait"),  # a `ray.get` or `ray.wait` call
    "RAY102": (REMOTE_WORD,),  # a remote definition
    "RAY103": (REMOTE_WORD,),  # a task body
    "RAY104": (REMOTE_WORD,),  # a task body
    "RAY105": ("get",),  # a `ray.get` call
    "RAY106": ("get",),  # a `ray.get` call
    "RAY107": (REMOTE_WORD,),  # a remote definition
    "RAY108": (REMOTE_WORD,),  # a task body
    "RAY109": ("ObjectRef", "put", REMOTE_WORD),  # an ObjectRef: rebuilt, put or returned by a submission
    "RAY110": ("init", REMOTE_WORD),  # a task or actor body, or code after `ray.init`
    "RAY111": (REMOTE_WORD,),  # a submission
    "RAY112": ("get",),  # a `ray.get` call
    "RAY113": (REMOTE_WORD,),  # an actor method call
    "RAY201": (),  # reads cluster configuration files only, never Python
}


# Ray functions a rule resolves by name (`ray.get`): present only as `ray.get`, unless `ray` may be bound to
# another name (`import ray as r`, `from ray import get`, `r = ray`), where any `get` counts.
API_WORDS = frozenset({"get", "put", "wait", "init"})
_GAP = r"(?:\s|\\|#[^\r\n]*)*"  # what may separate tokens: white space, line continuations, comments
_ATTRIBUTE_AFTER = re.compile(_GAP + r"\." + _GAP + r"(\w*)")
_PLAIN_IMPORT = re.compile(r"(?<![\w.])import[ \t]+$")
_IMPORT_END = re.compile(r"[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n|;|$)")


def _ray_uses(text: str) -> Tuple[bool, FrozenSet[str]]:
    """(whether `ray` may be bound to another name, the attributes read as `ray.x`). Every `ray` must be
    `import ray` on its own or an attribute access `ray.x` for the first to be False."""
    aliased, attributes = False, set()
    for start in _word_starts(text, RAY_WORD):
        end = start + len(RAY_WORD)
        if start > 0 and text[start - 1] == ".":
            continue  # `x.ray` is an attribute of something else
        attribute = _ATTRIBUTE_AFTER.match(text, end)
        if attribute is not None:
            attributes.add(attribute.group(1))
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if not (_PLAIN_IMPORT.search(text, line_start, start) and _IMPORT_END.match(text, end)):
            aliased = True
    return aliased, frozenset(attributes)


def _word_starts(text: str, word: str):
    """Where `word` occurs as a whole identifier (str.find: much faster than a regex with look-arounds)."""
    start = text.find(word)
    while start != -1:
        end = start + len(word)
        if (start == 0 or not _identifier_char(text[start - 1])) and (end == len(text) or not _identifier_char(text[end])):
            yield start
        start = text.find(word, start + 1)


def _identifier_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "") != "1"


def searchable(source: str) -> str:
    """The text as Python reads its identifiers."""
    return source if source.isascii() else unicodedata.normalize("NFKC", source)


def has_word(text: str, word: str) -> bool:
    return next(_word_starts(text, word), None) is not None


def rules_that_may_report(source: str, codes: Iterable[str]) -> Tuple[FrozenSet[str], bool]:
    """(the codes of `codes` that could report in `source`, whether the file can define remote functions
    that the project index must know about). Both empty/False: the file need not be parsed."""
    text = searchable(source)
    if not has_word(text, RAY_WORD):
        return frozenset(), False
    found: Dict[str, bool] = {}
    uses: List[Tuple[bool, FrozenSet[str]]] = []

    def present(word: str) -> bool:
        if word not in found:
            found[word] = has_word(text, word)
            if found[word] and word in API_WORDS:
                if not uses:
                    uses.append(_ray_uses(text))
                aliased, attributes = uses[0]
                found[word] = aliased or word in attributes
        return found[word]

    may = frozenset(code for code in codes if code not in RULE_WORDS or any(present(w) for w in RULE_WORDS[code]))
    return may, present(REMOTE_WORD)
