"""A warm probe server, so that `graphfix` commands stop paying the TensorFlow import.

The first command that probes starts a server process for its interpreter, Keras flavour, GPU
setting and `PYTHONPATH` (and graphfix's own code: a changed graphfix gets a new server); later
commands send it whole files to check or fix over a Unix socket: the server holds the engine and
the rules (libcst, the codemods) already imported, probes with warm workers (TensorFlow imported
once each, one fork per probe) and sends back the outcome, so a command's own process imports
neither TensorFlow nor the rules. It keeps as many workers as probes arrive at once, up to the
number of cores (a command with a tree asks for them all at once, before it scans the tree), and
exits after `IDLE_SECONDS` without a request. Single probes (`ServerWorker`: the engine of
`--graph`, of the language server) go through the same workers. Safe by construction for one user: the
socket lives in a directory only its owner can enter, is created owner-only, and the server
answers only requests on it; a stale socket (its server died) is removed and a new server
started. `graphfix server status|stop` shows and stops them; `--no-server` (or
`GRAPHFIX_NO_SERVER=1`) probes in-process as before.

Messages are length-prefixed pickles: both ends are the same graphfix (the code digest is part
of the socket's name) running as the same user.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from graphfix.ftypes import Evidence, FileOutcome
from graphfix.options import Options
from graphfix.probe import ProbeError, ProbeRequest, detect_flavor

IDLE_SECONDS = 900.0
START_SECONDS = 15.0


SOCKET_BYTES = 107  # the longest path an AF_UNIX address holds (Linux)
SOCKET_NAME = "probe-0123456789abcdef.sock"  # the shape of `socket_path`'s names


def runtime_directory() -> Path:
    """This user's private folder for server sockets: under `XDG_RUNTIME_DIR`, or the temporary
    folder when there is none or its path is too long for a socket address."""
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    directory = Path(base) / f"graphfix-{os.getuid()}"
    if len(os.fsencode(directory / SOCKET_NAME)) > SOCKET_BYTES:
        directory = Path(tempfile.gettempdir()) / f"graphfix-{os.getuid()}"
    directory.mkdir(mode=0o700, exist_ok=True)
    if directory.stat().st_uid != os.getuid() or directory.stat().st_mode & 0o077:
        raise ProbeError(f"{directory} is not private to this user; not using a probe server")
    return directory


def socket_path(python: str, flavor: str, gpu: bool) -> Path:
    from graphfix.cache import code_digest

    identity = "\0".join((code_digest(), os.path.realpath(python), flavor, str(gpu), os.environ.get("PYTHONPATH", "")))
    return runtime_directory() / f"probe-{hashlib.sha256(identity.encode()).hexdigest()[:16]}.sock"


def _send(connection: socket.socket, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    connection.sendall(struct.pack("!Q", len(data)) + data)


def _receive(connection: socket.socket) -> Any:
    header = _exactly(connection, 8)
    (size,) = struct.unpack("!Q", header)
    return pickle.loads(_exactly(connection, size))


def _exactly(connection: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = connection.recv(min(size, 1 << 20))
        if not chunk:
            raise ConnectionError("the probe server closed the connection")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# -- the client ---------------------------------------------------------------------------------


class ServerWorker:
    """A `Worker` whose probes run in the shared warm server (started on first use)."""

    def __init__(self, python: str = sys.executable, flavor: str = "keras3", gpu: bool = False) -> None:
        self.python, self.flavor, self.gpu = python, flavor, gpu
        self.path = socket_path(python, flavor, gpu)

    def _connect(self) -> socket.socket:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(str(self.path))
        except OSError:
            connection.close()
            raise
        return connection

    def _alive(self) -> bool:
        try:
            self._connect().close()
        except OSError:
            return False
        return True

    def start(self) -> None:
        """Make sure a server is running (start one when there is none, or a stale socket).
        One client at a time starts servers (a lock file): two commands, or two threads of one,
        that both find none start one server, not two fighting over the socket."""
        if self._alive():
            return
        if not Path(self.python).exists():
            raise ProbeError(f"cannot start interpreter {self.python}: No such file or directory")
        with open(runtime_directory() / "start.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not self._alive():
                self._spawn()

    def _spawn(self) -> None:
        self.path.unlink(missing_ok=True)
        subprocess.Popen(
            [sys.executable, "-m", "graphfix.serving", str(self.path), self.python, self.flavor, "1" if self.gpu else "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(runtime_directory()),
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                self._connect().close()
                return
            except OSError:
                time.sleep(0.05)
        raise ProbeError("the probe server did not start")

    def request(self, message: dict[str, Any]) -> Any:
        """Send `message` and return the answer; a server that went away is replaced once."""
        for attempt in (1, 2):
            try:
                with self._connect() as connection:
                    _send(connection, message)
                    return _receive(connection)
            except (OSError, ConnectionError, EOFError, pickle.UnpicklingError):
                if attempt == 2:
                    raise ProbeError("the probe server went away") from None
                self.start()  # crashed or stopped: replace it transparently
        raise AssertionError("unreachable")

    def probe(self, request: ProbeRequest) -> Evidence:
        answer = self.request({"op": "probe", "request": request})
        if isinstance(answer, ProbeError):
            raise answer
        if not isinstance(answer, Evidence):
            raise ProbeError("the probe server sent something that is not evidence")
        return answer

    def close(self) -> None:
        """The server outlives the command (it stops itself when idle)."""


def _server_of(options: Options, source: str) -> tuple[ServerWorker, Options]:
    """The server for `options` and a file of this `source` (the flavour it asks for decides
    which; the server's engine still decides per file), and the options as sent: what this
    command's environment says about the flavour travels with them."""
    if options.flavor is None and detect_flavor("") == "tf_keras":  # TF_USE_LEGACY_KERAS here
        options = replace(options, flavor="tf_keras")
    flavor = options.flavor or detect_flavor(source)
    return ServerWorker(options.python, flavor, options.gpu), options


def run_in_server(path: Path, operation: str, options: Options, source: str, text: str | None = None) -> FileOutcome:
    """`operation` ("check", or "fix": never written) of the file at `path` (or of `text` as if
    it were that file) by the warm server's engine; `source` is what the file holds. Raises
    ProbeError when no server can be used."""
    server, options = _server_of(options, source if text is None else text)
    server.start()
    message = {"op": "run", "path": str(path.absolute()), "operation": operation, "options": options, "text": text}
    answer = server.request(message)
    if not isinstance(answer, FileOutcome):
        raise ProbeError("the probe server sent something that is not an outcome")
    return replace(answer, path=str(path))


def warm_server(options: Options, count: int) -> None:
    """Ask the server for `count` warm workers (one per core at most) before they are needed:
    a tree's files then find them ready. Never raises: warming is only a head start."""
    try:
        server, _ = _server_of(options, "")
        server.start()
        server.request({"op": "warm", "count": count})
    except (ProbeError, OSError):
        pass


def servers() -> list[tuple[Path, dict[str, Any] | None]]:
    """Every server socket of this user, with its status (None: stale)."""
    found: list[tuple[Path, dict[str, Any] | None]] = []
    for path in sorted(runtime_directory().glob("probe-*.sock")):
        found.append((path, ask(path, "status")))
    return found


def ask(path: Path, op: str) -> dict[str, Any] | None:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(5)
            connection.connect(str(path))
            _send(connection, {"op": op})
            answer = _receive(connection)
            return answer if isinstance(answer, dict) else None
    except (OSError, ConnectionError, EOFError, pickle.UnpicklingError):
        return None
