"""The one internal Ray call raylint doctor makes (the raylet's store stats behind `ray memory
--stats-only`): these tests fail loudly when Ray renames the call, its parameters or the fields read.
Reading a live node through it is covered by the DOC003 test in test_doctor_ray.py."""

from __future__ import annotations

import inspect

import pytest

pytest.importorskip("ray")

from raylint.doctor import store_stats  # noqa: E402


def test_node_stats_call_keeps_its_signature():
    from ray._private import internal_api

    parameters = inspect.signature(internal_api.node_stats).parameters
    assert list(parameters)[:3] == ["node_manager_address", "node_manager_port", "include_memory_info"]


def test_the_reply_carries_every_store_field_the_doctor_reads():
    from ray.core.generated import node_manager_pb2

    reply = node_manager_pb2.GetNodeStatsReply.DESCRIPTOR.fields_by_name.get("store_stats")
    assert reply is not None, "GetNodeStatsReply has no store_stats any more"
    fields = {field.name for field in reply.message_type.fields}
    missing = [name for name in store_stats.FIELDS if name not in fields]
    assert missing == [], f"Ray's ObjectStoreStats lost {missing}: update raylint/doctor/store_stats.py"


def test_read_maps_the_reply_fields(monkeypatch):
    from ray._private import internal_api
    from ray.core.generated import node_manager_pb2

    reply = node_manager_pb2.GetNodeStatsReply()
    reply.store_stats.object_store_bytes_used = 83_886_588
    reply.store_stats.object_store_bytes_avail = 100_000_000
    reply.store_stats.spilled_bytes_total = 167_773_176
    reply.store_stats.spilled_objects_total = 4
    reply.store_stats.restored_bytes_total = 1024
    asked = []
    monkeypatch.setattr(internal_api, "node_stats", lambda *args, **kwargs: asked.append((args, kwargs)) or reply)
    stats = store_stats.read("10.0.0.1", 1234)
    assert asked == [(("10.0.0.1", 1234), {"include_memory_info": False})]
    assert stats == store_stats.StoreStats(83_886_588, 100_000_000, 167_773_176, 4, 1024)
