from __future__ import annotations

from raylint.rules.base import Rule


class BlockingGetInAsync(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY101"
    name = "blocking-get-in-async"
    summary = "Blocking `ray.get`/`ray.wait` inside a coroutine"

    def run(self) -> None:
        return None


RULE = BlockingGetInAsync
