from __future__ import annotations

from raylint.rules.base import Rule


class BlockingPollInSyncActor(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY112"
    name = "blocking-poll-in-sync-actor"
    summary = "Long-polling `ray.get` loop in a synchronous actor method"
    default_enabled = False
    preview = True

    def run(self) -> None:
        return None


RULE = BlockingPollInSyncActor
