from __future__ import annotations

from raylint.rules.base import Rule


class RemoteRedefinedInLoop(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY102"
    name = "remote-redefined-in-loop"
    summary = "Remote function or actor defined in a loop or inside a task"

    def run(self) -> None:
        return None


RULE = RemoteRedefinedInLoop
