"""Attach to a running cluster read-only: no `ray.init()` (that would add a job), only the GCS and the
state API, with the address pinned so the environment cannot redirect the state API elsewhere."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

CONNECT_TIMEOUT_S = 3.0
# Each state-API call; a cluster that answers slower than this is reported as unreachable.
STATE_API_TIMEOUT_S = 30


class CannotAttach(Exception):
    """Why the cluster cannot be read; one line for the user (exit 2)."""


@dataclass
class Attachment:
    """A read-only view of one cluster: its GCS address, the GCS's own view, and the checked state API."""

    address: str
    global_state: Any
    # The GCS's node table, alive and dead nodes.
    node_table: List[Dict[str, Any]]


def resolve_address(address: Optional[str]) -> str:
    """--address, else RAY_ADDRESS; `host:port` of the GCS."""
    chosen = address or os.environ.get("RAY_ADDRESS", "")
    if not chosen or chosen == "auto":
        raise CannotAttach("no cluster address: pass --address HOST:PORT (the GCS) or set RAY_ADDRESS")
    if chosen.startswith("ray://") or chosen.startswith("http"):
        raise CannotAttach(f"{chosen}: give the GCS address HOST:PORT, not a client or dashboard URL")
    return chosen


def split_address(address: str) -> Tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise CannotAttach(f"{address}: expected HOST:PORT")
    return host, int(port)


def check_reachable(address: str) -> None:
    """A dead address fails here in at most 3 s; the state API would retry for about 40 s."""
    host, port = split_address(address)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as error:
        raise CannotAttach(f"cannot reach a Ray cluster at {address}: {error.strerror or error}") from None


def attach(address: Optional[str]) -> Attachment:
    try:
        from ray._private.internal_api import get_state_from_address
    except ImportError:
        raise CannotAttach("Ray is not installed: pip install 'raylint[ray]'") from None
    chosen = resolve_address(address)
    check_reachable(chosen)
    # ray.util.state lets RAY_ADDRESS / RAY_API_SERVER_ADDRESS override its `address=` argument
    os.environ["RAY_ADDRESS"] = chosen
    os.environ.pop("RAY_API_SERVER_ADDRESS", None)
    try:
        global_state = get_state_from_address(chosen)
        node_table = list(global_state.node_table())
    except Exception as error:  # noqa: BLE001 - any failure of the GCS client means "cannot read it"
        raise CannotAttach(f"{chosen} does not answer as a Ray GCS: {_one_line(error)}") from None
    attachment = Attachment(chosen, global_state, node_table)
    _check_state_api(attachment)
    return attachment


def _check_state_api(attachment: Attachment) -> None:
    """The state API goes through the dashboard the GCS advertises; on a shared machine that port may
    belong to another cluster, so its node ids must be the GCS's."""
    from ray.util.state import list_nodes

    try:
        nodes = list_nodes(address=attachment.address, detail=True, limit=10000, timeout=STATE_API_TIMEOUT_S,
                           raise_on_missing_output=False)
    except Exception as error:  # noqa: BLE001 - the state API raises many types, all mean "unreadable"
        raise CannotAttach(
            f"the state API of {attachment.address} does not answer (it needs the dashboard, ray[default]): "
            f"{_one_line(error)}"
        ) from None
    gcs_ids = {node["NodeID"] for node in attachment.node_table}
    api_ids = {node.node_id for node in nodes}
    if gcs_ids != api_ids:
        raise CannotAttach(
            f"the state API reached through {attachment.address} reports other nodes than its GCS "
            "(another cluster's dashboard on the advertised port?); refusing to mix clusters"
        )


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
