from __future__ import annotations

from raylint.rules.base import Rule


class ForkInRayProcess(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY110"
    name = "fork-in-ray-process"
    summary = "Process forked in Ray code"

    def run(self) -> None:
        return None


RULE = ForkInRayProcess
