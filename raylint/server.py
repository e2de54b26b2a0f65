"""`raylint server`: a Language Server that publishes raylint's findings as the user types and offers each
fix as a quick fix. pygls is imported only here and only when the server starts (`pip install 'raylint[lsp]'`)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from raylint import __version__, api
from raylint.config import ConfigError, Settings, load_settings
from raylint.configs import config_kind
from raylint.fixing import FixPolicy
from raylint.ftypes import Diagnostic, Location
from raylint.registry import rule_info

SOURCE = "raylint"
FIX_ALL_KIND = "source.fixAll.raylint"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PYTHON_SUFFIXES = (".py", ".pyi")
DEBOUNCE_S = 0.15  # a pause in typing this long triggers the lint


class MissingDependency(Exception):
    """pygls is not installed; the message says how to install it."""


def split_lines(text: str) -> List[str]:
    """Lines as both Python and LSP count them (`\\n`, `\\r\\n` and `\\r` end a line; form feeds do not)."""
    return _LINE_BREAK.split(text)


def code_units(text: str, encoding: str = "utf-16") -> int:
    """The length of `text` in the code units of an LSP position encoding ("utf-8", "utf-16" or "utf-32")."""
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def lsp_position(lines: Sequence[str], location: Location, encoding: str = "utf-16") -> Tuple[int, int]:
    """A raylint location (1-based row, 1-based code-point column) as an LSP (line, character), both 0-based."""
    line = location.row - 1
    if line >= len(lines):
        return len(lines) - 1, code_units(lines[-1], encoding)
    return line, code_units(lines[line][: location.column - 1], encoding)


def lint_document(source: str, path: str, settings: Settings,
                  fix_rows: Optional[Tuple[int, int]] = None) -> List[Diagnostic]:
    """The findings the editor shows for a document; excluded files stay silent, as they are absent from
    `raylint check .`. Fixes carry no edits (building them costs more than the lint) except for the
    findings touching `fix_rows`, the range a code action asks about."""
    return api.check_text(source, path, settings, force_exclude=True, fix_edits=False, fix_rows=fix_rows).diagnostics


def build_server():
    """The pygls server with raylint's features registered; raises MissingDependency without pygls."""
    try:
        from lsprotocol import types
        from pygls.lsp.server import LanguageServer
    except ImportError:
        raise MissingDependency("raylint server needs pygls: pip install 'raylint[lsp]'") from None

    server = LanguageServer(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
    # The findings last published for each document, with the version and lines they were computed on.
    published: Dict[str, Tuple[Optional[int], List[str], List[Diagnostic]]] = {}
    pending: Dict[str, asyncio.TimerHandle] = {}  # the debounced lint waiting for each document

    def encoding() -> str:
        return str(server.workspace.position_encoding or "utf-16")

    def to_range(lines: Sequence[str], start: Location, end: Location):
        (start_line, start_char), (end_line, end_char) = (lsp_position(lines, loc, encoding()) for loc in (start, end))
        return types.Range(types.Position(start_line, start_char), types.Position(end_line, end_char))

    def to_lsp(lines: Sequence[str], diagnostic: Diagnostic):
        error = diagnostic.severity == "error"
        url = _absolute_docs_url(diagnostic.url or rule_info(diagnostic.code).url)
        return types.Diagnostic(
            range=to_range(lines, diagnostic.location, diagnostic.end_location),
            message=diagnostic.message,
            severity=types.DiagnosticSeverity.Error if error else types.DiagnosticSeverity.Warning,
            code=diagnostic.code,
            code_description=types.CodeDescription(href=url) if url else None,
            source=SOURCE,
        )

    def settings_for(path: str) -> Optional[Settings]:
        try:
            return load_settings(start=Path(path))
        except ConfigError as error:
            server.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"raylint: {error}"))
            return None

    def lint(uri: str) -> None:
        document = server.workspace.get_text_document(uri)
        findings: List[Diagnostic] = []
        lines = split_lines(document.source)
        settings = settings_for(document.path) if _is_checked(document) else None
        if settings is not None:
            findings = lint_document(document.source, document.path, settings)
        published[uri] = (document.version, lines, findings)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, version=document.version, diagnostics=[to_lsp(lines, d) for d in findings],
        ))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(params: types.DidChangeTextDocumentParams) -> None:
        # Debounced: a burst of keystrokes is linted once, DEBOUNCE_S after the last of them.
        uri = params.text_document.uri
        if uri in pending:
            pending.pop(uri).cancel()
        pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_S, lint_pending, uri)

    def lint_pending(uri: str) -> None:
        pending.pop(uri, None)
        if uri in server.workspace.text_documents:
            lint(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        published.pop(params.text_document.uri, None)
        if params.text_document.uri in pending:
            pending.pop(params.text_document.uri).cancel()
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(params: types.CodeActionParams) -> List[types.CodeAction]:
        uri = params.text_document.uri
        document = server.workspace.get_text_document(uri)
        if uri not in published or published[uri][0] != document.version:
            lint(uri)
        _, lines, findings = published[uri]
        wanted = params.context.only
        actions = []
        if (not wanted or types.CodeActionKind.QuickFix in wanted) and any(
            d.fix is not None and touches(lines, d, params.range) for d in findings
        ):
            # the published findings carry no edits: build the fixes of this range only
            settings = settings_for(document.path)
            rows = (params.range.start.line + 1, params.range.end.line + 1)
            fixed = lint_document(document.source, document.path, settings, rows) if settings is not None else []
            actions = [quick_fix(uri, lines, d) for d in fixed if _offers_fix(d) and touches(lines, d, params.range)]
            actions.sort(key=lambda action: not action.is_preferred)
        if not wanted or any(FIX_ALL_KIND.startswith(kind) for kind in wanted):
            actions.extend(fix_all(uri, document))
        return actions

    def touches(lines: Sequence[str], diagnostic: Diagnostic, wanted) -> bool:
        found = to_range(lines, diagnostic.location, diagnostic.end_location)
        start, end = (found.start.line, found.start.character), (found.end.line, found.end.character)
        return start <= (wanted.end.line, wanted.end.character) and (wanted.start.line, wanted.start.character) <= end

    def quick_fix(uri: str, lines: Sequence[str], diagnostic: Diagnostic):
        fix = diagnostic.fix
        safe = fix.applicability == "safe"
        title = fix.message or f"Fix {diagnostic.code}"
        edits = [types.TextEdit(to_range(lines, e.location, e.end_location), e.content) for e in fix.edits]
        return types.CodeAction(
            title=f"{title} ({diagnostic.code})" if safe else f"{title} ({diagnostic.code}, unsafe)",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[to_lsp(lines, diagnostic)],
            edit=types.WorkspaceEdit(changes={uri: edits}),
            is_preferred=safe,
        )

    def fix_all(uri: str, document) -> List[types.CodeAction]:
        """One action applying every safe fix, as `raylint fix --apply` would; none when nothing is fixable."""
        settings = settings_for(document.path) if _is_checked(document) else None
        if settings is None:
            return []
        request = api.FixRequest(FixPolicy(), apply=True)
        result = api.check_text(document.source, document.path, settings, force_exclude=True, fix=request)
        if not result.changes:
            return []
        lines = split_lines(document.source)
        whole = types.Range(types.Position(0, 0), types.Position(len(lines) - 1, code_units(lines[-1], encoding())))
        return [types.CodeAction(
            title="Fix all safe raylint findings",
            kind=FIX_ALL_KIND,
            edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(whole, result.changes[0].after)]}),
        )]

    return server


def _offers_fix(diagnostic: Diagnostic) -> bool:
    fix = diagnostic.fix
    return fix is not None and bool(fix.edits) and fix.applicability in ("safe", "unsafe")


def _is_checked(document) -> bool:
    """Python, or a file raylint reads as a Ray cluster config (YAML, shell), by its name."""
    if document.language_id == "python" or str(document.path).endswith(_PYTHON_SUFFIXES):
        return True
    return config_kind(str(document.path), document.source) is not None


def serve() -> None:
    """Run the server over standard input and output until the client says exit."""
    build_server().start_io()


def _absolute_docs_url(url: Optional[str]) -> Optional[str]:
    """An editor needs an absolute link: a repository path (the rule pages) becomes a file URI when this
    raylint runs from a checkout that has the page, and is left out otherwise."""
    if not url or "://" in url:
        return url
    page = Path(__file__).resolve().parent.parent / url
    return page.as_uri() if page.is_file() else None
