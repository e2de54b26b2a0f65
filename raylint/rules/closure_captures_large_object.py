from __future__ import annotations

from raylint.rules.base import Rule


class ClosureCapturesLargeObject(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY107"
    name = "closure-captures-large-object"
    summary = "Remote function or actor captures a large object from its enclosing scope"

    def run(self) -> None:
        return None


RULE = ClosureCapturesLargeObject
