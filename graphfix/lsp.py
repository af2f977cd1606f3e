"""`graphfix lsp`: a language server on stdin/stdout (pygls).

On open and on save of a Python file the buffer is probed (as if it lived at its path, never
written) and its faults are published as diagnostics; a verified rewrite is offered as a
quick fix that replaces the whole buffer. Probes run on one background thread, one at a time:
the event loop keeps answering the editor while TensorFlow works. stdout is the protocol:
nothing here prints.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from graphfix.config import Config, ConfigError, load_config, resolve_python
from graphfix.engine import Engine, Options
from graphfix.ftypes import FaultOutcome, FileOutcome, FixState
from graphfix.registry import discover
from graphfix.report import tool_version

SOURCE = "graphfix"
CLOSE_WAIT = 5.0  # seconds the shutdown reply waits for a probe in flight
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line endings LSP counts

Units = Callable[[str], int]  # a string's length in the client's position units (UTF-16 by default)
Log = Callable[[str, types.MessageType], None]


@dataclass(frozen=True)
class Result:
    """One finished run: the document text it probed, and what graphfix found."""

    version: int | None
    text: str
    outcome: FileOutcome
    diagnostics: tuple[types.Diagnostic, ...]


@dataclass
class State:
    """What the server keeps between messages (all touched from the event loop only)."""

    engine: Engine | None = None
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphfix-probe")
    )
    documents: set[str] = field(default_factory=set)  # open Python documents
    results: dict[str, Result] = field(default_factory=dict)
    running: set[str] = field(default_factory=set)
    again: set[str] = field(default_factory=set)  # an event arrived while a run was in progress
    shut_down: bool = False


class GraphfixServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("graphfix", tool_version(), text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.state = State()

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))


# -- options -----------------------------------------------------------------------------------


def options_for(init: Any, root: Path, log: Log, codes: Collection[str]) -> Options:
    """[tool.graphfix] of the workspace, overridden by initializationOptions `python`/`timeout`."""
    init = init if isinstance(init, dict) else {}
    try:
        config = load_config([root], codes)
    except ConfigError as exc:
        log(f"graphfix: ignoring the configuration: {exc}", types.MessageType.Warning)
        config = Config()
    timeout = init.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        log(f"graphfix: ignoring timeout {timeout!r}: expected a positive number of seconds", types.MessageType.Warning)
        timeout = None
    python = init.get("python")
    if python is not None and not (isinstance(python, str) and python):
        log(f"graphfix: ignoring python {python!r}: expected an interpreter path", types.MessageType.Warning)
        python = None
    return Options(
        python=python or config.python or resolve_python([root]),
        timeout=float(timeout or config.timeout or 60.0),
        select=config.select,
        ignore=config.ignore,
        server=not os.environ.get("GRAPHFIX_NO_SERVER"),  # share the warm probe server with commands
    )


def _root(params: types.InitializeParams) -> Path:
    if params.root_uri and params.root_uri.startswith("file:"):
        path = to_fs_path(params.root_uri)
        if path:
            return Path(path)
    if params.root_path:
        return Path(params.root_path)
    return Path.cwd()


# -- positions and diagnostics -----------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """The text's lines as LSP counts them (a final empty line after a trailing newline)."""
    return _LINE_BREAK.split(text)


def end_of(text: str, units: Units) -> types.Position:
    """The position just past the last character: a range from (0, 0) to here is the whole text."""
    lines = split_lines(text)
    return types.Position(line=len(lines) - 1, character=units(lines[-1]))


def line_range(lines: list[str], line: int, byte_col: int, units: Units) -> types.Range:
    """From a byte column (as Python reports it) on a 0-based line to the end of that line."""
    line = min(max(line, 0), len(lines) - 1)
    text = lines[line]
    start = text.encode("utf-8")[: max(byte_col, 0)].decode("utf-8", "ignore")
    return types.Range(
        start=types.Position(line=line, character=units(start)),
        end=types.Position(line=line, character=units(text)),
    )


def fault_diagnostic(item: FaultOutcome, lines: list[str], units: Units) -> types.Diagnostic:
    fault = item.fault
    message = f"{fault.name}: {fault.message}"
    if item.state is FixState.VERIFIED:
        message += " (verified fix available)"
    return types.Diagnostic(
        range=line_range(lines, fault.line - 1, fault.col - 1, units),
        message=message,
        severity=types.DiagnosticSeverity.Warning,
        code=fault.code,
        source=SOURCE,
    )


def diagnostics_for(outcome: FileOutcome, text: str, units: Units) -> tuple[types.Diagnostic, ...]:
    lines = split_lines(text)
    if outcome.error is not None:
        return (
            types.Diagnostic(
                range=line_range(lines, 0, 0, units),
                message=f"graphfix could not check this file: {outcome.error}",
                severity=types.DiagnosticSeverity.Error,
                source=SOURCE,
            ),
        )
    found = [fault_diagnostic(item, lines, units) for item in outcome.faults]
    if outcome.program_error is not None:
        found.append(
            types.Diagnostic(
                range=line_range(lines, 0, 0, units),
                message=f"not a known graph fault: {outcome.program_error}",
                severity=types.DiagnosticSeverity.Information,
                source=SOURCE,
            )
        )
    return tuple(found)


def _publish(ls: GraphfixServer, uri: str, found: tuple[types.Diagnostic, ...], version: int | None = None) -> None:
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=list(found), version=version)
    )


# -- runs --------------------------------------------------------------------------------------


def _is_python(uri: str) -> bool:
    return uri.startswith("file:") and (to_fs_path(uri) or "").endswith(".py")


async def refresh(ls: GraphfixServer, uri: str) -> None:
    """Probe the document and publish its diagnostics. Events that arrive during a run are
    coalesced: one more run afterwards, on the text current at that time."""
    state = ls.state
    if uri in state.running:
        state.again.add(uri)
        return
    state.running.add(uri)
    try:
        while True:
            state.again.discard(uri)
            if uri not in state.documents or state.engine is None or state.shut_down:
                return
            await _run_once(ls, state.engine, uri)
            if uri not in state.again:
                return
    finally:
        state.running.discard(uri)


async def _run_once(ls: GraphfixServer, engine: Engine, uri: str) -> None:
    document = ls.workspace.get_text_document(uri)
    text, version = document.source, document.version
    path = Path(to_fs_path(uri) or uri)
    loop = asyncio.get_running_loop()
    outcome = await loop.run_in_executor(ls.state.executor, partial(_fix, engine, path, text))
    if uri not in ls.state.documents or ls.state.shut_down:
        return  # closed meanwhile: its diagnostics were already cleared
    if outcome.error is not None:
        ls.log(f"graphfix: {path}: {outcome.error}", types.MessageType.Warning)
    found = diagnostics_for(outcome, text, ls.workspace.position_codec.client_num_units)
    ls.state.results[uri] = Result(version, text, outcome, found)
    _publish(ls, uri, found, version)


def _fix(engine: Engine, path: Path, text: str) -> FileOutcome:
    """The engine's verdict on the text (probe failures are already the outcome's error); a bug
    of ours becomes the error too, shown on the document rather than lost in the server."""
    try:
        return engine.fix(path, text=text)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not take the server down
        return FileOutcome(str(path), error=f"internal error: {type(exc).__name__}: {exc}")


# -- code actions ------------------------------------------------------------------------------


def _lines_meet(a: types.Range, b: types.Range) -> bool:
    """Whether the ranges share a line (a cursor anywhere on a fault's line asks for its fix)."""
    return a.start.line <= b.end.line and b.start.line <= a.end.line


def _relevant(result: Result, params: types.CodeActionParams) -> list[types.Diagnostic]:
    asked = {(d.code, d.range.start.line) for d in params.context.diagnostics if d.source == SOURCE}
    return [
        d
        for d in result.diagnostics
        if d.code is not None and ((d.code, d.range.start.line) in asked or _lines_meet(d.range, params.range))
    ]


def fix_action(uri: str, result: Result, relevant: list[types.Diagnostic], units: Units) -> types.CodeAction:
    assert result.outcome.fixed is not None
    verified = [f.fault for f in result.outcome.faults if f.state is FixState.VERIFIED]
    names = ", ".join(dict.fromkeys(f"{f.code} {f.name}" for f in verified)) or "graph faults"
    edit = types.TextEdit(
        range=types.Range(start=types.Position(line=0, character=0), end=end_of(result.text, units)),
        new_text=result.outcome.fixed,
    )
    return types.CodeAction(
        title=f"graphfix: apply verified fix ({names})",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=relevant,
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
        is_preferred=True,
    )


def code_actions(ls: GraphfixServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    result = ls.state.results.get(uri)
    if result is None or result.outcome.fixed is None or result.outcome.error is not None:
        return None
    if ls.workspace.get_text_document(uri).source != result.text:
        return None  # edited since the probe: the fix was verified for another text
    relevant = _relevant(result, params)
    if not relevant:
        return None
    return [fix_action(uri, result, relevant, ls.workspace.position_codec.client_num_units)]


# -- the server --------------------------------------------------------------------------------


async def close_engine(state: State) -> None:
    """Close the engine once the probe in flight (if any) ends. A probe is bounded by its
    timeout, which its worker enforces; the reply waits for it only CLOSE_WAIT seconds, and
    `serve` finishes the close before the process exits."""
    if state.engine is None:
        return
    closed = asyncio.get_running_loop().run_in_executor(state.executor, state.engine.close)
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(closed), CLOSE_WAIT)


def create_server() -> GraphfixServer:
    server = GraphfixServer()
    rules = discover()  # once per server

    @server.feature(types.INITIALIZE)
    def initialize(ls: GraphfixServer, params: types.InitializeParams) -> None:
        options = options_for(params.initialization_options, _root(params), ls.log, rules.keys())
        ls.state.engine = Engine(rules, options)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: GraphfixServer, params: types.DidOpenTextDocumentParams) -> None:
        document = params.text_document
        if document.language_id != "python" or not _is_python(document.uri):
            return
        ls.state.documents.add(document.uri)
        await refresh(ls, document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    async def did_save(ls: GraphfixServer, params: types.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri in ls.state.documents:
            await refresh(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: GraphfixServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.state.documents:
            ls.state.documents.discard(uri)
            ls.state.results.pop(uri, None)
            _publish(ls, uri, ())

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
    )
    def code_action(ls: GraphfixServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return code_actions(ls, params)

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls: GraphfixServer, *args: Any) -> None:
        ls.state.shut_down = True
        await close_engine(ls.state)

    return server


def serve() -> int:
    """Serve on stdin/stdout until the editor says exit (or goes away); the exit status."""
    server = create_server()
    stdout = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the protocol
    try:
        server.start_io(sys.stdin.buffer, stdout)
    finally:
        # never close the engine under a probe in flight: its worker enforces the probe's timeout
        server.state.executor.shutdown(wait=True, cancel_futures=True)
        if server.state.engine is not None:
            server.state.engine.close()
    return 0 if server.state.shut_down else 1
