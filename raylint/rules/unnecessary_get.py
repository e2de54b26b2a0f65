from __future__ import annotations

from raylint.rules.base import Rule


class UnnecessaryGet(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY105"
    name = "unnecessary-get"
    summary = "Value fetched with `ray.get` only to be passed to another task"

    def run(self) -> None:
        return None


RULE = UnnecessaryGet
