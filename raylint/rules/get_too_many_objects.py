from __future__ import annotations

from raylint.rules.base import Rule


class GetTooManyObjects(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY106"
    name = "get-too-many-objects"
    summary = "`ray.get` on tens of thousands of large results at once"

    def run(self) -> None:
        return None


RULE = GetTooManyObjects
