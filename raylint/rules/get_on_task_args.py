from __future__ import annotations

from raylint.rules.base import Rule


class GetOnTaskArgs(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY104"
    name = "get-on-task-args"
    summary = "`ray.get` on ObjectRefs passed inside a task argument"

    def run(self) -> None:
        return None


RULE = GetOnTaskArgs
