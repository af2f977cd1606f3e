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
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from graphfix.ftypes import Evidence, FileOutcome
from graphfix.options import Options
from graphfix.probe import ProbeError, ProbeRequest, Worker, detect_flavor

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


# -- the server ---------------------------------------------------------------------------------


class _Pool:
    """Warm workers for one interpreter and flavour; each probe takes one for itself."""

    def __init__(self, python: str, flavor: str, gpu: bool) -> None:
        self.python, self.flavor, self.gpu = python, flavor, gpu
        self.idle: list[Worker] = []
        self.all: list[Worker] = []
        self.free = threading.Condition()
        self.limit = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)

    def _new(self) -> Worker:
        """A worker whose imports have begun (called with the condition held)."""
        worker = Worker(self.python, self.flavor, self.gpu)
        worker.start()
        self.all.append(worker)
        return worker

    def warm(self, count: int) -> None:
        """Start workers until `count` exist (at most one per core), without waiting for them."""
        with self.free:
            while len(self.all) < min(count, self.limit):
                self.idle.append(self._new())

    def take(self) -> Worker:
        """A free worker, one that has finished its imports first; a new one while there are
        fewer than cores; else wait for one to come back."""
        with self.free:
            while not self.idle and len(self.all) >= self.limit:
                self.free.wait()
            if not self.idle:
                return self._new()
            ready = [w for w in self.idle if w.hello]
            worker = ready[-1] if ready else self.idle[0]
            self.idle.remove(worker)
            return worker

    def give(self, worker: Worker) -> None:
        with self.free:
            self.idle.append(worker)
            self.free.notify()

    def close(self) -> None:
        for worker in self.all:
            worker.close()


class _PooledWorker(ServerWorker):
    """Inside the server: its engines probe with whichever warm worker of the pool is free."""

    def __init__(self, pool: _Pool, on_probe: Callable[[], None]) -> None:  # no socket: this is the server
        self.python, self.flavor, self.gpu = pool.python, pool.flavor, pool.gpu
        self.pool, self.on_probe = pool, on_probe

    def start(self) -> None:
        """The pool's workers are started by the server."""

    def probe(self, request: ProbeRequest) -> Evidence:
        worker = self.pool.take()
        try:
            return worker.probe(request)
        finally:
            self.pool.give(worker)
            self.on_probe()

    def close(self) -> None:
        """The workers belong to the pool."""


class _Rules:
    """The rules, discovered once in the background when the server starts (libcst and the
    codemods import while the first worker imports TensorFlow)."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.rules: Mapping[str, Any] = {}
        self.error: BaseException | None = None
        threading.Thread(target=self._discover, daemon=True).start()

    def _discover(self) -> None:
        try:
            import graphfix.engine  # noqa: F401  (imported here, not by the first request)
            from graphfix.registry import discover

            self.rules = discover()
        except BaseException as exc:  # reported to each request that needs the rules
            self.error = exc
        finally:
            self.ready.set()

    def get(self) -> Mapping[str, Any]:
        self.ready.wait()
        if self.error is not None:
            raise ProbeError(f"the probe server could not load the rules: {self.error}")
        return self.rules


def _run(pool: _Pool, rules: _Rules, message: dict[str, Any], on_probe: Callable[[], None]) -> FileOutcome:
    """One file checked or fixed (never written) by an engine of this server; the outcome
    without references to the rules' classes, so that the client need not import them."""
    from graphfix.cache import light_outcome
    from graphfix.engine import Engine

    path = Path(message["path"])
    options: Options = message["options"]
    workers: dict[str, Worker | ServerWorker] = {}
    if (os.path.realpath(options.python), options.gpu) == (os.path.realpath(pool.python), pool.gpu):
        workers[pool.flavor] = _PooledWorker(pool, on_probe)  # another flavour: probed by its own server
    engine = Engine(rules.get(), options, _workers=workers)
    try:
        text = message.get("text")
        if text is None:
            outcome = engine.run(path, message["operation"])
        elif message["operation"] == "check":
            outcome = engine.check(path, text=text)
        else:
            outcome = engine.fix(path, text=text)
    except Exception:  # a bug of ours: one line, like the engine's own internal errors
        outcome = FileOutcome(str(path), error="internal error: " + traceback.format_exc(limit=-1).strip().splitlines()[-1])
    finally:
        engine.close()
    return light_outcome(outcome)


def _resident_kib() -> int:
    try:
        with open("/proc/self/status") as handle:
            return next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


def serve(path: Path, python: str, flavor: str, gpu: bool, idle: float = IDLE_SECONDS) -> None:
    # the client resolves what the environment says about the flavour; here only the source may
    os.environ.pop("TF_USE_LEGACY_KERAS", None)
    pool = _Pool(python, flavor, gpu)
    pool.warm(1)  # one worker at once; a tree asks for more
    rules = _Rules()
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

    def probed() -> None:
        with lock:
            state["probes"] += 1

    def handle(connection: socket.socket) -> None:
        with connection:
            try:
                message = _receive(connection)
                if message.get("op") == "run":
                    _send(connection, _run(pool, rules, message, probed))
                elif message.get("op") == "warm":
                    pool.warm(int(message.get("count", 1)))
                    _send(connection, {"workers": len(pool.all)})
                elif message.get("op") == "status":
                    _send(connection, {
                        "pid": os.getpid(), "python": python, "flavor": flavor, "workers": len(pool.all), "probes": state["probes"],
                        # each warm worker's resident memory after its last probe (bench/: flat over many probes)
                        "worker_rss_kib": [w.last_reply.get("worker_rss_kib") for w in list(pool.all)],
                        "rss_kib": _resident_kib(),  # the server's own (its engines and the rules)
                    })
                elif message.get("op") == "stop":
                    state["stop"] = True
                    _send(connection, {"stopped": os.getpid()})
                elif message.get("op") == "probe":
                    try:
                        evidence: Evidence | ProbeError = _PooledWorker(pool, probed).probe(message["request"])
                    except ProbeError as exc:
                        evidence = exc
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
