from __future__ import annotations

from raylint.rules.base import Rule


class OutOfBandRefSerialization(Rule):
    """
    ## What it does
    Not written yet.
    """

    code = "RAY109"
    name = "out-of-band-ref-serialization"
    summary = "ObjectRef serialised out of band"

    def run(self) -> None:
        return None


RULE = OutOfBandRefSerialization
