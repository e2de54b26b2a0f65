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

A rule may also need a word of its own (RULE_ALSO_WORDS): RAY110 reports only calls that fork, and each
of those is named `fork`, `Pool`, `Process` or `ProcessPoolExecutor` somewhere in the text (at the call,
in an import, or where an alias is assigned).

Python compares identifiers after NFKC normalization (`ｒａｙ` is `ray`), so non-ASCII text is normalized
before it is searched. A rule missing from RULE_WORDS always runs. RAYLINT_NO_PREFILTER=1 turns the filter
off; tests/test_prefilter.py lints the fixtures and a sample of Ray's own source both ways and requires
identical findings.
"""

from __future__ import annotations

import keyword
import os
import re
import sys
import unicodedata
from typing import Dict, FrozenSet, Iterable, List, Optional, Tuple

from raylint.noqa.comment_scan import STRING

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

# code -> identifiers of which at least one must occur as well (a second condition, beside RULE_WORDS).
RULE_ALSO_WORDS: Dict[str, Tuple[str, ...]] = {
    # every call RAY110 reports forks: `os.fork`, `multiprocessing.Pool`/`Process` (or a context's),
    # `ProcessPoolExecutor`; the rule's `_FORKING_CALLS` (a test keeps the two the same)
    "RAY110": ("fork", "Pool", "Process", "ProcessPoolExecutor"),
}


# Ray functions a rule resolves by name (`ray.get`): present only as `ray.get`, unless `ray` may be bound to
# another name (`import ray as r`, `from ray import get`, `r = ray`), where any `get` counts.
API_WORDS = frozenset({"get", "put", "wait", "init"})
# what may separate tokens: white space, line continuations, comments (a comment runs to its line's end, so
# `#a#b` is one comment, never two: without that the regex backtracks exponentially on `# ####`)
_GAP = r"(?:\s|\\|#[^\r\n]*(?![^\r\n]))*"
# a whole word `ray` and, when an attribute access follows it (`ray.get`), the attribute's name: looked at ahead
# of the word, without consuming it, so that every `ray` is still found (one may sit in a comment inside a gap)
_RAY_AND_ATTRIBUTE = re.compile(RAY_WORD + r"(?<!\w" + RAY_WORD + r")(?!\w)(?:(?=" + _GAP + r"\." + _GAP + r"(\w*)))?")
_PLAIN_IMPORT = re.compile(r"(?<![\w.])import[ \t]+$")
_IMPORT_END = re.compile(r"[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n|;|$)")
_FROM_BEFORE = re.compile(r"(?<![\w.])from[ \t]+$")
# ` import a, b as c` or ` import (a,\n b)` after `from ray`; a name list of identifiers, `as` and commas only
_FROM_IMPORT = re.compile(
    r"[ \t]+import[ \t]+(?:\(([\w\s,]*)\)|((?:[\w \t,*]|\\(?:\r\n|\r|\n))*))" + r"[ \t]*(?:#[^\r\n]*)?(?:\r\n|\r|\n|;|$)"
)
_NO_VALUE_AFTER = re.compile(r"[ \t]*[-/*%@\[(\"'=<>!~^&|:+`?$]")
_WORD_AFTER = re.compile(r"[ \t]+([^\W\d]\w*)")


def _ray_uses(text: str) -> Tuple[bool, FrozenSet[str]]:
    """(whether `ray` may be bound to another name, the names read from it as `ray.x` or imported with
    `from ray import x`). Each `ray` must be one of these to keep the first False:
    - an attribute access `ray.x` (gaps allowed around the dot), or a plain `import ray`;
    - `from ray import a, b as c` (records `a` and `b`; `*` binds everything, so it counts as an alias);
    - prose: `ray` and then, on the same line, a word that is not a keyword. In code, a name can only be
      followed by a keyword there (`ray if`, `ray as`), so this is a comment or a string, not a binding;
    - `ray` followed by an operator, a call, a subscript or a quote (`ray/x`, `ray-project`, `"ray"`,
      `ray[...]`, `ray = x`): raylint gives such an expression no value, so nothing else can name the module
      through it (a name bound to `ray` itself ends at `)`, `]`, `}`, `,`, `;`, a keyword or the line's end)."""
    aliased, attributes = False, set()
    for found in _RAY_AND_ATTRIBUTE.finditer(text):
        start, end = found.span()
        if start > 0 and text[start - 1] == ".":
            continue  # `x.ray` is an attribute of something else
        attribute = found.group(1)
        if attribute is not None:
            attributes.add(attribute)
            continue
        line_start = text.rfind("\n", 0, start) + 1
        if _PLAIN_IMPORT.search(text, line_start, start) and _IMPORT_END.match(text, end):
            continue
        if _FROM_BEFORE.search(text, line_start, start):
            names = _imported_names(text, end)
            if names is not None:
                attributes.update(names)
                continue
        word = _WORD_AFTER.match(text, end)
        if word is not None and not keyword.iskeyword(word.group(1)):
            continue
        if _NO_VALUE_AFTER.match(text, end):
            continue
        aliased = True
    return aliased, frozenset(attributes)


def _imported_names(text: str, end: int) -> Optional[List[str]]:
    """The names of `from ray import a, b as c` whose `ray` ends at `end` (the original names: `a`, `b`),
    None when it is not such an import or imports `*`."""
    found = _FROM_IMPORT.match(text, end)
    if found is None:
        return None
    listed = found.group(1) if found.group(1) is not None else found.group(2)
    names = [item.split()[0] for item in listed.replace("\\", " ").split(",") if item.strip()]
    return None if "*" in names else names


def _word_starts(text: str, word: str):
    """Where `word` occurs as a whole identifier."""
    return (found.start() for found in _whole_word(word).finditer(text))


_WHOLE_WORDS: Dict[str, re.Pattern] = {}


def _whole_word(word: str) -> re.Pattern:
    """`word` not glued to an identifier character (`\\w`: a letter, digit or `_`, as `str.isalnum` sees
    them). The word comes first and the look-behind after it, so that the regex engine searches for the word
    as fast as str.find and judges only its occurrences."""
    pattern = _WHOLE_WORDS.get(word)
    if pattern is None:
        literal = re.escape(word)
        pattern = _WHOLE_WORDS[word] = re.compile(literal + r"(?<!\w" + literal + r")(?!\w)")
    return pattern


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "") != "1"


def searchable(source: str) -> str:
    """The text as Python reads its identifiers."""
    return source if source.isascii() else unicodedata.normalize("NFKC", source)


def has_word(text: str, word: str) -> bool:
    return _whole_word(word).search(text) is not None


# The text in pieces, each the code up to the next comment or quote (group 1), then one of: a comment (group 2),
# a plain string (tokenize's grammar, shared with the comment scanner, over text whose line breaks are all
# `\n`; group 3), a string kept as it is (group 4), or a lone quote (a string that never ends: then the text
# is not split; group 5). A string is kept when the letters right before its quote are an f-string or
# t-string prefix (its expressions are code: `f"{ray.get(ref)}"`) or end a longer name (`if'a'`): plain
# means no letter before the quote, or a prefix of one or two letters none of which is `f` or `t` (`rb"x"`),
# with no identifier character before it. The run of code first keeps the regex engine from trying every
# alternative at every character, which would be most of the filter's cost; `re.split` then hands every
# piece over at once (a loop over the matches in Python cost as much again as the scan). At the end of the
# text only the run matches (no other group).
_NOT_F_OR_T = "[a-eg-su-zA-EG-SU-Z]"
_CODE_AND_NEXT = re.compile(
    r"([^#'\"]*)"
    r"(?:(#[^\n]*)"
    r"|(?:(?<!\w)|(?<=(?<!\w)" + _NOT_F_OR_T + r")|(?<=(?<!\w)" + _NOT_F_OR_T + "{2}))(" + STRING + r")"
    r"|(" + STRING + r")"
    r"|(['\"])"
    r"|\Z)",
    re.DOTALL,
)
_GROUPS = 5  # `re.split` gives the text before each match (always empty here) and then its five groups
_NESTED_FSTRINGS = sys.version_info >= (3, 12)


def code_only(text: str) -> Optional[str]:
    """`text` with each comment replaced by a blank and each plain string by `""`; None when a quote is left
    unpaired (text Python cannot tokenize: the caller keeps the whole text). An f-string (or t-string) is
    kept whole: the expressions inside it are code. From Python 3.12 an f-string may nest quotes of its own
    kind, which this scan would misread: there the whole text is kept."""
    if _NESTED_FSTRINGS:
        return None
    if "#" not in text and "'" not in text and '"' not in text:
        return text
    # every line break as one `\n` (a bare CR ends a line too); the same length keeps every offset, and the
    # space goes after the break so that a backslash continuation stays one
    text = text.replace("\r\n", "\n ").replace("\r", "\n")
    parts = _CODE_AND_NEXT.split(text)
    stride = _GROUPS + 1
    if any(parts[5::stride]):
        return None  # a lone quote: a string that never ends
    parts[2::stride] = [None if comment is None else " " for comment in parts[2::stride]]
    parts[3::stride] = [None if string is None else '""' for string in parts[3::stride]]
    return "".join(filter(None, parts))


def rules_that_may_report(source: str, codes: Iterable[str]) -> Tuple[FrozenSet[str], bool]:
    """(the codes of `codes` that could report in `source`, whether the file can define remote functions
    that the project index must know about). Both empty/False: the file need not be parsed."""
    text = searchable(source)
    if not has_word(text, RAY_WORD):
        return frozenset(), False
    may, defines = _rules_in(text, codes)
    if may or defines:
        # Docstrings and comments name Ray APIs all the time (`>>> f.remote(1)`): look again at the code alone.
        code = code_only(text)
        if code is not None and code is not text:  # the same text (no string, no comment) gives the same answer
            if not has_word(code, RAY_WORD):
                return frozenset(), False
            may, defines = _rules_in(code, codes)
    return may, defines


def _rules_in(text: str, codes: Iterable[str]) -> Tuple[FrozenSet[str], bool]:
    aliased, attributes = _ray_uses(text)
    found: Dict[str, bool] = {REMOTE_WORD: _is_remote_used(text, aliased, attributes)}

    def present(word: str) -> bool:
        known = found.get(word)
        if known is None:
            if word in API_WORDS and not aliased:
                known = word in attributes  # only `ray.get` reaches it: no need to search for `get`
            else:
                known = has_word(text, word)
            found[word] = known
        return known

    may = []
    for code in codes:
        words = RULE_WORDS.get(code)
        if words is None:
            may.append(code)
            continue
        also = RULE_ALSO_WORDS.get(code)
        if any(present(word) for word in words) and (also is None or any(present(word) for word in also)):
            may.append(code)
    return frozenset(may), found[REMOTE_WORD]


def _is_remote_used(text: str, aliased: bool, attributes: FrozenSet[str]) -> bool:
    """`remote` counts only as an attribute (`@ray.remote`, `f.remote(...)`, `.options(...).remote()`) or as a
    name imported from ray (or through an alias of the module); `remote` in prose (`a remote worker`)
    defines and submits nothing. A `remote` at the start of a line may follow a dot on an earlier line
    (`x.  # comment` then `remote`): that counts too."""
    if aliased or REMOTE_WORD in attributes:
        return has_word(text, REMOTE_WORD)
    for start in _word_starts(text, REMOTE_WORD):
        before = start - 1
        while before >= 0 and text[before] in " \t\f\\":
            before -= 1
        if before >= 0 and text[before] in ".\r\n":
            return True
    return False
