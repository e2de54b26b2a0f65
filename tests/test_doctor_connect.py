"""Attaching: which address is used, a clear exit 2 for an unusable one, and refusing a state API
whose nodes are not the GCS's (another cluster's dashboard on the advertised port)."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from raylint.doctor import connect


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_address_comes_from_the_option_then_ray_address(monkeypatch):
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.1:6379")
    assert connect.resolve_address("127.0.0.1:7000") == "127.0.0.1:7000"
    assert connect.resolve_address(None) == "10.0.0.1:6379"
    monkeypatch.delenv("RAY_ADDRESS")
    with pytest.raises(connect.CannotAttach, match="no cluster address"):
        connect.resolve_address(None)


@pytest.mark.parametrize("address, message", [
    ("ray://10.0.0.1:10001", "give the GCS address HOST:PORT"),
    ("http://127.0.0.1:8265", "give the GCS address HOST:PORT"),
    ("localhost", "expected HOST:PORT"),
])
def test_unusable_addresses(address, message):
    with pytest.raises(connect.CannotAttach, match=message):
        connect.check_reachable(connect.resolve_address(address))


def test_a_closed_port_is_refused_at_once():
    with pytest.raises(connect.CannotAttach, match="cannot reach a Ray cluster at 127.0.0.1:"):
        connect.check_reachable(f"127.0.0.1:{closed_port()}")


def test_state_api_of_another_cluster_is_refused(monkeypatch):
    state = pytest.importorskip("ray.util.state")
    others = [type("Node", (), {"node_id": "someone-elses"})()]
    monkeypatch.setattr(state, "list_nodes", lambda **kwargs: others)
    attachment = connect.Attachment("127.0.0.1:1", None, [{"NodeID": "ours"}])
    with pytest.raises(connect.CannotAttach, match="another cluster's dashboard"):
        connect._check_state_api(attachment)


def test_without_ray_one_line_and_exit_2(tmp_path):
    # a `ray` that cannot be imported, first on the path
    (tmp_path / "ray").mkdir()
    (tmp_path / "ray" / "__init__.py").write_text("raise ImportError('no ray here')\n")
    code = ("import sys; sys.path.insert(0, %r); from raylint.entry import main; "
            "sys.argv = ['raylint', 'doctor', '--address', '127.0.0.1:1']; main()" % str(tmp_path))
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == ["raylint doctor: Ray is not installed: pip install 'raylint[ray]'"]
