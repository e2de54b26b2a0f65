"""The object store's per-node counters (what `ray memory --stats-only` prints). Ray has no public API
for them, so this is the one place that calls its internals; tests/test_doctor_store_stats.py fails
loudly when Ray renames the call or its fields."""

from __future__ import annotations

from dataclasses import dataclass

# The fields of the raylet's ObjectStoreStats message that the doctor reads.
FIELDS = ("object_store_bytes_used", "object_store_bytes_avail", "spilled_bytes_total", "spilled_objects_total",
          "restored_bytes_total")


@dataclass(frozen=True)
class StoreStats:
    """One node's store: bytes in use now, capacity, and counters cumulative since its raylet started."""

    used_bytes: int
    capacity_bytes: int
    spilled_bytes: int
    spilled_objects: int
    restored_bytes: int


def read(node_manager_address: str, node_manager_port: int) -> StoreStats:
    from ray._private.internal_api import node_stats

    reply = node_stats(node_manager_address, node_manager_port, include_memory_info=False)
    stats = reply.store_stats
    return StoreStats(
        used_bytes=int(stats.object_store_bytes_used),
        capacity_bytes=int(stats.object_store_bytes_avail),
        spilled_bytes=int(stats.spilled_bytes_total),
        spilled_objects=int(stats.spilled_objects_total),
        restored_bytes=int(stats.restored_bytes_total),
    )
