"""`graphfix lsp` driven the way an editor drives it: the command as a subprocess, JSON-RPC with
Content-Length framing over its stdin/stdout, real probes behind it."""

from __future__ import annotations

import json
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from graphfix.lsp import end_of, line_range, options_for, split_lines

PROJECT = Path(__file__).resolve().parents[1]
BROKEN = (PROJECT / "examples" / "autoencoder.py").read_text(encoding="utf-8")
CLEAN = """from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(8,))
x = layers.Dense(4, activation="relu")(inputs)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="mse")
"""
WAIT = 120.0  # seconds for one probe run (the first one imports TensorFlow)

Message = dict[str, Any]


class Client:
    """A minimal LSP client: requests, notifications, and the server's messages in a queue."""

    def __init__(self, cwd: Path) -> None:
        self.stderr = cwd / "server.stderr"  # a file: a pipe nobody reads could fill up
        with self.stderr.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "graphfix.cli", "lsp"],
                cwd=cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        self.incoming: queue.Queue[Message | None] = queue.Queue()
        self.seen: list[Message] = []  # notifications taken off the queue while waiting for others
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            headers: dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    self.incoming.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            self.incoming.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any = None, timeout: float = 30.0) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        reply = self._take(lambda m: m.get("id") == self.next_id and "method" not in m, timeout)
        assert "error" not in reply, reply
        return reply["result"]

    def notification(self, method: str, match: Callable[[Any], bool] = lambda p: True, timeout: float = WAIT) -> Any:
        for i, seen in enumerate(self.seen):
            if seen.get("method") == method and match(seen["params"]):
                return self.seen.pop(i)["params"]
        return self._take(lambda m: m.get("method") == method and match(m["params"]), timeout)["params"]

    def _take(self, wanted: Callable[[Message], bool], timeout: float) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self.incoming.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                said = self.stderr.read_text(errors="replace")[-2000:]
                raise AssertionError(f"timed out; the server sent {self.seen}; its stderr: {said}") from None
            assert message is not None, "the server closed its stdout"
            if wanted(message):
                return message
            if "id" in message and "method" in message:  # a request from the server: answer it
                self.send({"id": message["id"], "result": None})
            else:
                self.seen.append(message)

    def diagnostics(self, uri: str, match: Callable[[Any], bool] = lambda p: True) -> list[Message]:
        return self.notification("textDocument/publishDiagnostics", lambda p: p["uri"] == uri and match(p))[
            "diagnostics"
        ]

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}},
        )

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )

    def close(self) -> int:
        assert self.request("shutdown") is None
        self.notify("exit")
        return self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join(timeout=10)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    lsp = Client(tmp_path)
    try:
        result = lsp.request(
            "initialize",
            {
                "processId": None,
                "rootUri": tmp_path.as_uri(),
                "capabilities": {},
                "initializationOptions": {"timeout": 60},
            },
        )
        capabilities = result["capabilities"]
        assert capabilities["codeActionProvider"]
        assert capabilities["textDocumentSync"]["save"] is not None
        lsp.notify("initialized", {})
        yield lsp
    finally:
        lsp.stop()


def apply_edit(text: str, edit: Message) -> str:
    """Apply one LSP TextEdit (positions in UTF-16 units over LSP's line breaks)."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def offset(position: Message) -> int:
        line_start = starts[position["line"]]
        line = text[line_start:]
        units = 0
        for index, char in enumerate(line):
            if units >= position["character"]:
                return line_start + index
            units += 2 if ord(char) > 0xFFFF else 1
        return len(text)

    start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
    return text[:start] + edit["newText"] + text[end:]


def test_diagnostics_quick_fix_and_stale_buffer(client: Client, tmp_path: Path) -> None:
    broken = tmp_path / "ae.py"
    broken.write_text(BROKEN, encoding="utf-8")
    uri = broken.as_uri()
    client.open(uri, BROKEN)
    found = client.diagnostics(uri)
    assert [d["code"] for d in found] == ["GF101"]
    diagnostic = found[0]
    line = next(n for n, text in enumerate(BROKEN.splitlines()) if "keras.Model(pixels, decoded)" in text)
    assert diagnostic["range"]["start"] == {"line": line, "character": 14}
    assert diagnostic["range"]["end"] == {"line": line, "character": len(BROKEN.splitlines()[line])}
    assert diagnostic["source"] == "graphfix" and diagnostic["severity"] == 2
    assert diagnostic["message"].startswith("disconnected-input: ") and diagnostic["message"].endswith(
        "(verified fix available)"
    )

    ask = {"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}}
    actions = client.request("textDocument/codeAction", ask)
    assert len(actions) == 1
    action = actions[0]
    assert action["kind"] == "quickfix" and action["title"] == "graphfix: apply verified fix (GF101 disconnected-input)"
    assert [d["code"] for d in action["diagnostics"]] == ["GF101"]
    (edit,) = action["edit"]["changes"][uri]
    assert edit["range"] == {"start": {"line": 0, "character": 0}, "end": {"line": BROKEN.count("\n"), "character": 0}}
    fixed = apply_edit(BROKEN, edit)
    assert fixed != BROKEN and "latent_in = keras.Input" not in fixed
    assert 'layers.Dense(64, activation="relu")(encoded)' in fixed and "keras.Model(pixels, decoded)" in fixed
    compile(fixed, "ae.py", "exec")

    # a cursor on the fault's line, without context diagnostics, also gets the fix
    cursor = {"line": line, "character": 0}
    assert client.request(
        "textDocument/codeAction", {**ask, "range": {"start": cursor, "end": cursor}, "context": {"diagnostics": []}}
    )
    # elsewhere: nothing
    assert not client.request(
        "textDocument/codeAction",
        {
            **ask,
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []},
        },
    )

    clean = tmp_path / "clean.py"
    clean.write_text(CLEAN, encoding="utf-8")
    client.open(clean.as_uri(), CLEAN)
    assert client.diagnostics(clean.as_uri()) == []

    client.change(uri, BROKEN + "# edited\n", version=2)
    assert not client.request("textDocument/codeAction", ask)  # the verified fix was for another text

    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri) == []
    assert client.close() == 0


def test_save_runs_on_the_latest_text_coalesced(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(CLEAN, encoding="utf-8")
    uri = path.as_uri()
    other = (tmp_path / "notes.txt").as_uri()
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": other, "languageId": "plaintext", "version": 1, "text": "x"}}
    )
    client.open(uri, CLEAN)
    assert client.diagnostics(uri) == []
    first_done = time.monotonic()

    # three saves in a row: one run starts, the other two make exactly one more run
    for version in (2, 3, 4):
        text = BROKEN + f"# edit {version}\n"
        client.change(uri, text, version)
        path.write_text(text, encoding="utf-8")
        client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    found = client.diagnostics(uri, lambda p: p.get("version") == 4)
    assert [d["code"] for d in found] == ["GF101"]
    last_run = time.monotonic() - first_done
    time.sleep(min(last_run, 10.0))  # room for a third run, were saves not coalesced
    publishes = [m for m in client.seen if m.get("method") == "textDocument/publishDiagnostics"]
    while not client.incoming.empty():
        message = client.incoming.get()
        assert message is not None
        publishes.append(message)
    assert all(m["params"]["uri"] == uri for m in publishes), "only Python documents are probed"
    assert len(publishes) <= 1, publishes  # besides the one for version 4
    assert client.close() == 0


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_positions_are_client_units_over_lsp_line_breaks() -> None:
    text = "a = 1\r\nb = '😀'  # y\rc = 2\n"
    assert (end_of(text, _utf16).line, end_of(text, _utf16).character) == (3, 0)
    assert (end_of("x\ny😀", _utf16).line, end_of("x\ny😀", _utf16).character) == (1, 3)
    lines = split_lines(text)
    assert lines == ["a = 1", "b = '😀'  # y", "c = 2", ""]
    # Python reports UTF-8 byte columns: `#` on line 2 is byte 12, UTF-16 unit 10 (the line is 13 units)
    found = line_range(lines, 1, 12, _utf16)
    assert (found.start.line, found.start.character, found.end.character) == (1, 10, 13)
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}
    assert apply_edit(text, {"range": whole, "newText": "z"}) == "z"


def test_initialization_options(tmp_path: Path) -> None:
    said: list[str] = []
    options = options_for({"python": "/opt/py/bin/python", "timeout": 5}, tmp_path, lambda m, k: said.append(m), ["GF101"])
    assert (options.python, options.timeout, said) == ("/opt/py/bin/python", 5.0, [])
    options = options_for({"python": 3, "timeout": "soon"}, tmp_path, lambda m, k: said.append(m), ["GF101"])
    assert options.timeout == 60.0 and options.python and len(said) == 2
