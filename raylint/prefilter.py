"""Which rules could possibly report in a file, decided from its text before it is parsed.

Most files of a large code base never touch the Ray APIs a rule looks at; parsing and walking them is
most of the cost of a run. Every rule reports only after resolving some Ray API or remote definition by
name, and raylint resolves names only through the identifiers written in the source (an import, an
attribute, an assignment of them). So a rule cannot report in a file where none of the identifiers below
occurs as a whole word: that is what makes the filter lose nothing. Two facts carry everything:

- no identifier `ray`: nothing in the file imports Ray, and every rule needs Ray imported;
- no identifier `remote`: no remote definition (`@ray.remote`, `ray.remote(f)`) and no submission
  (`X.remote(...)`), so no task body, no actor and nothing for the project index either.

Python compares identifiers after NFKC normalization (`ｒａｙ` is `ray`), so non-ASCII text is normalized
before it is searched. A rule missing from RULE_WORDS always runs. RAYLINT_NO_PREFILTER=1 turns the filter
off; tests/test_prefilter.py lints the fixtures and a sample of Ray's own source both ways and requires
identical findings.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Dict, FrozenSet, Iterable, Tuple

ENV_SWITCH = "RAYLINT_NO_PREFILTER"
RAY_WORD = "ray"
REMOTE_WORD = "remote"

# code -> identifiers of which at least one must occur for the rule to be able to report.
RULE_WORDS: Dict[str, Tuple[str, ...]] = {
    "RAY001": ("get",),  # a `ray.get` call
    "RAY002": (REMOTE_WORD,),  # a submission
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


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "") != "1"


def searchable(source: str) -> str:
    """The text as Python reads its identifiers."""
    return source if source.isascii() else unicodedata.normalize("NFKC", source)


def has_word(text: str, word: str) -> bool:
    return re.search(r"(?<!\w)" + word + r"(?!\w)", text) is not None


def rules_that_may_report(source: str, codes: Iterable[str]) -> Tuple[FrozenSet[str], bool]:
    """(the codes of `codes` that could report in `source`, whether the file can define remote functions
    that the project index must know about). Both empty/False: the file need not be parsed."""
    text = searchable(source)
    if not has_word(text, RAY_WORD):
        return frozenset(), False
    found: Dict[str, bool] = {}

    def present(word: str) -> bool:
        if word not in found:
            found[word] = has_word(text, word)
        return found[word]

    may = frozenset(code for code in codes if code not in RULE_WORDS or any(present(w) for w in RULE_WORDS[code]))
    return may, present(REMOTE_WORD)
