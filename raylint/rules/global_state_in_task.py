from __future__ import annotations

from raylint.rules.base import Rule


class GlobalStateInTask(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY108"
    name = "global-state-in-task"
    summary = "Global variable used as shared state between tasks"

    def run(self) -> None:
        return None


RULE = GlobalStateInTask
