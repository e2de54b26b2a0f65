from __future__ import annotations

from raylint.rules.base import Rule


class UnboundedPendingSubmissions(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY111"
    name = "unbounded-pending-submissions"
    summary = "Unbounded stream of submissions without `ray.wait` backpressure"
    default_enabled = False
    preview = True

    def run(self) -> None:
        return None


RULE = UnboundedPendingSubmissions
