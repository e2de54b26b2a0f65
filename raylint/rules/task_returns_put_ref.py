from __future__ import annotations

from raylint.rules.base import Rule


class TaskReturnsPutRef(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY103"
    name = "task-returns-put-ref"
    summary = "Task returns a `ray.put()` ObjectRef"

    def run(self) -> None:
        return None


RULE = TaskReturnsPutRef
