"""A warm probe server, so that `graphfix` commands stop paying the TensorFlow import.

The first command that probes starts a server process for its interpreter, Keras flavour, GPU
setting and `PYTHONPATH` (and graphfix's own code: a changed graphfix gets a new server); later
commands send their probes to it over a Unix socket. The server keeps warm workers (TensorFlow
imported once each, one fork per probe), as many as probes arrive at once up to the number of
cores, and exits after `IDLE_SECONDS` without a request. Safe by construction for one user: the
socket lives in a directory only its owner can enter, is created owner-only, and the server
answers only requests on it; a stale socket (its server died) is removed and a new server
started. `graphfix server status|stop` shows and stops them; `--no-server` (or
`GRAPHFIX_NO_SERVER=1`) probes in-process as before.

Messages are length-prefixed pickles: both ends are the same graphfix (the code digest is part
of the socket's name) running as the same user.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from graphfix.ftypes import Evidence
from graphfix.probe import ProbeError, ProbeRequest, Worker

IDLE_SECONDS = 900.0
START_SECONDS = 15.0


def runtime_directory() -> Path:
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    directory = Path(base) / f"graphfix-{os.getuid()}"
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


# -- the server ---------------------------------------------------------------------------------


class _Pool:
    """Warm workers for one interpreter and flavour; each probe takes one for itself."""

    def __init__(self, python: str, flavor: str, gpu: bool) -> None:
        self.python, self.flavor, self.gpu = python, flavor, gpu
        self.idle: list[Worker] = []
        self.all: list[Worker] = []
        self.lock = threading.Lock()
        self.limit = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)

    def take(self) -> Worker:
        with self.lock:
            if self.idle:
                return self.idle.pop()
            if len(self.all) < self.limit:
                worker = Worker(self.python, self.flavor, self.gpu)
                worker.start()
                self.all.append(worker)
                return worker
        while True:  # every worker busy: wait for one
            time.sleep(0.01)
            with self.lock:
                if self.idle:
                    return self.idle.pop()

    def give(self, worker: Worker) -> None:
        with self.lock:
            self.idle.append(worker)

    def close(self) -> None:
        for worker in self.all:
            worker.close()


def serve(path: Path, python: str, flavor: str, gpu: bool, idle: float = IDLE_SECONDS) -> None:
    pool = _Pool(python, flavor, gpu)
    pool.give(pool.take())  # warm one worker at once
    old_umask = os.umask(0o077)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        path.unlink(missing_ok=True)
        listener.bind(str(path))
    finally:
        os.umask(old_umask)
    listener.listen(16)
    listener.settimeout(1.0)
    state = {"last": time.monotonic(), "active": 0, "probes": 0, "stop": False}
    lock = threading.Lock()

    def handle(connection: socket.socket) -> None:
        with connection:
            try:
                message = _receive(connection)
                if message.get("op") == "status":
                    _send(connection, {
                        "pid": os.getpid(), "python": python, "flavor": flavor, "workers": len(pool.all), "probes": state["probes"],
                        # each warm worker's resident memory after its last probe (bench/: flat over many probes)
                        "worker_rss_kib": [w.last_reply.get("worker_rss_kib") for w in list(pool.all)],
                    })
                elif message.get("op") == "stop":
                    state["stop"] = True
                    _send(connection, {"stopped": os.getpid()})
                elif message.get("op") == "probe":
                    worker = pool.take()
                    try:
                        evidence: Evidence | ProbeError = worker.probe(message["request"])
                    except ProbeError as exc:
                        evidence = exc
                    finally:
                        pool.give(worker)
                    with lock:
                        state["probes"] += 1
                    _send(connection, evidence)
            except (ConnectionError, OSError, EOFError, pickle.UnpicklingError):
                pass
            finally:
                with lock:
                    state["active"] -= 1
                    state["last"] = time.monotonic()

    try:
        while not state["stop"]:
            with lock:
                if state["active"] == 0 and time.monotonic() - state["last"] > idle:
                    break
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with lock:
                state["active"] += 1
                state["last"] = time.monotonic()
            threading.Thread(target=handle, args=(connection,), daemon=True).start()
    finally:
        listener.close()
        path.unlink(missing_ok=True)
        pool.close()


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

    def start(self) -> None:
        """Make sure a server is running (start one when there is none, or a stale socket)."""
        try:
            self._connect().close()
            return
        except OSError:
            self.path.unlink(missing_ok=True)
        if not Path(self.python).exists():
            raise ProbeError(f"cannot start interpreter {self.python}: No such file or directory")
        subprocess.Popen(
            [sys.executable, "-m", "graphfix.server", str(self.path), self.python, self.flavor, "1" if self.gpu else "0"],
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

    def probe(self, request: ProbeRequest) -> Evidence:
        for attempt in (1, 2):
            try:
                with self._connect() as connection:
                    _send(connection, {"op": "probe", "request": request})
                    answer = _receive(connection)
                break
            except (OSError, ConnectionError, EOFError):
                if attempt == 2:
                    raise ProbeError("the probe server went away") from None
                self.start()  # crashed or stopped: replace it transparently
        if isinstance(answer, ProbeError):
            raise answer
        if not isinstance(answer, Evidence):
            raise ProbeError("the probe server sent something that is not evidence")
        return answer

    def close(self) -> None:
        """The server outlives the command (it stops itself when idle)."""


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


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "1")
