"""`raylint server`: a real LSP session between a pygls client and the server, in one process over an
in-memory pipe, plus the position conversion it relies on and the subprocess entry point."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from raylint.ftypes import Location
from raylint.server import code_units, lsp_position, split_lines

types = pytest.importorskip("lsprotocol.types")
pytest.importorskip("pygls")

from pygls.io_ import run_async  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from raylint.server import DEBOUNCE_S, build_server  # noqa: E402

# The emoji before the finding is one code point but two UTF-16 code units: columns must shift by one.
SOURCE = textwrap.dedent(
    """\
    import ray


    @ray.remote(num_cpus=1)
    def square(x):
        return x * x


    tag, results = "\U0001F600", [ray.get(square.remote(x)) for x in range(10)]
    """
)
FIXED_LINE = 'tag, results = "\U0001F600", ray.get([square.remote(x) for x in range(10)])'
TIMEOUT = 10


def test_positions_count_utf16_code_units():
    lines = split_lines('a = "\U0001F600"; b\r\nc\rd\n')
    assert lines == ['a = "\U0001F600"; b', "c", "d", ""]
    assert lsp_position(lines, Location(1, 10)) == (0, 10)
    assert lsp_position(lines, Location(1, 10), "utf-32") == (0, 9)
    assert lsp_position(lines, Location(1, 10), "utf-8") == (0, 12)
    assert lsp_position(lines, Location(3, 2)) == (2, 1)
    assert lsp_position(lines, Location(9, 1)) == (3, 0)
    assert code_units("é\U0001F600") == 3


class _Pipe:
    """One direction of an in-memory connection: what one endpoint writes, the other reads."""

    def __init__(self) -> None:
        self.reader = asyncio.StreamReader()

    def write(self, data: bytes) -> None:
        self.reader.feed_data(data)

    def close(self) -> None:
        self.reader.feed_eof()


async def _session(tmp_path: Path):
    server = build_server()
    client = LanguageClient("raylint-test", "0")
    to_server, to_client = _Pipe(), _Pipe()
    server.protocol.set_writer(to_client)
    client.protocol.set_writer(to_server)
    published: asyncio.Queue = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params):
        published.put_nowait(params)

    loops = [
        asyncio.create_task(run_async(stop_event=threading.Event(), reader=pipe.reader, protocol=endpoint.protocol))
        for endpoint, pipe in ((server, to_server), (client, to_client))
    ]
    try:
        await asyncio.wait_for(client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=tmp_path.as_uri(),
        )), TIMEOUT)
        client.initialized(types.InitializedParams())
        uri = (tmp_path / "job.py").as_uri()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=SOURCE),
        ))
        opened = await asyncio.wait_for(published.get(), TIMEOUT)
        diagnostic_range = opened.diagnostics[0].range if opened.diagnostics else None
        actions = await asyncio.wait_for(client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=diagnostic_range,
            context=types.CodeActionContext(diagnostics=opened.diagnostics),
        )), TIMEOUT)
        # two quick edits (as keystrokes come): the debounced server lints only the last one
        for version, text in ((2, SOURCE + "x = 1\n"), (3, SOURCE.replace(SOURCE.splitlines()[-1], FIXED_LINE))):
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text)],
            ))
        changed = await asyncio.wait_for(published.get(), TIMEOUT)
        await asyncio.sleep(3 * DEBOUNCE_S)
        assert published.empty()
        await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
        return uri, opened, actions, changed
    finally:
        to_server.close()
        to_client.close()
        await asyncio.wait_for(asyncio.gather(*loops), TIMEOUT)


def test_session_publishes_diagnostics_and_offers_the_fix(tmp_path):
    uri, opened, actions, changed = asyncio.run(_session(tmp_path))

    assert opened.uri == uri
    [diagnostic] = opened.diagnostics
    assert diagnostic.code == "RAY001"
    assert diagnostic.source == "raylint"
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.code_description.href.endswith("/docs/rules/RAY001.md")
    assert diagnostic.code_description.href.startswith("file://")
    # raylint reports 9:22 (1-based code points); after the emoji that is UTF-16 character 22, 0-based line 8.
    assert diagnostic.range == types.Range(types.Position(8, 22), types.Position(8, 47))

    quick_fixes = [action for action in actions if action.kind == types.CodeActionKind.QuickFix]
    [action] = quick_fixes
    assert action.is_preferred
    assert "(RAY001)" in action.title and "unsafe" not in action.title
    [edit] = action.edit.changes[uri]
    assert edit.range == types.Range(types.Position(8, 21), types.Position(8, 67))
    assert edit.new_text == "ray.get([square.remote(x) for x in range(10)])"
    assert [action.kind for action in actions if action not in quick_fixes] == ["source.fixAll.raylint"]

    assert changed.version == 3
    assert list(changed.diagnostics) == []


def test_server_command_speaks_lsp_over_stdio(tmp_path):
    """initialize, shutdown and exit through `python -m raylint server`: the process ends with status 0."""
    def message(payload: str) -> bytes:
        return f"Content-Length: {len(payload)}\r\n\r\n{payload}".encode()

    requests = b"".join([
        message('{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}'),
        message('{"jsonrpc": "2.0", "method": "initialized", "params": {}}'),
        message('{"jsonrpc": "2.0", "id": 2, "method": "shutdown"}'),
        message('{"jsonrpc": "2.0", "method": "exit"}'),
    ])
    done = subprocess.run([sys.executable, "-m", "raylint", "server"], input=requests, capture_output=True,
                          timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    bodies = [json.loads(part.split(b"Content-Length")[0]) for part in done.stdout.split(b"\r\n\r\n")[1:]]
    assert "codeActionProvider" in bodies[0]["result"]["capabilities"]
    assert bodies[-1] == {"jsonrpc": "2.0", "id": 2, "result": None}
