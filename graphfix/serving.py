"""The probe server's own process (started by `graphfix.server.ServerWorker` as
`python -m graphfix.serving SOCKET PYTHON FLAVOUR GPU`): a pool of warm workers and an engine
per request. Kept apart from `graphfix.server`, the client side that the engine and the
commands import, because this side imports the engine.
"""

from __future__ import annotations

import os
import pickle
import socket
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from graphfix.ftypes import Evidence, FileOutcome
from graphfix.options import Options
from graphfix.probe import ProbeError, ProbeRequest, Worker
from graphfix.server import IDLE_SECONDS, ServerWorker, _receive, _send


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



if __name__ == "__main__":
    import sys

    serve(Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "1")
