"""The warm probe worker. Runs in the target interpreter; imports only the stdlib until `serve`.

Protocol (one JSON object per line): graphfix writes a request on the worker's stdin, the worker
forks a child that runs the program with Keras instrumented, writes the evidence to
``request["result"]`` (a ``graphfix_schema.ResultJSON``), and answers one line on its protocol
channel (the original stdout; the worker's own fd 1 is pointed at stderr so nothing the program
or TensorFlow prints can corrupt it).

Importing TensorFlow costs seconds; forking after the import and before any op has run costs
milliseconds, so every probe gets a fresh process that shares nothing with the others.
"""

from __future__ import annotations

import json
import linecache
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # mypy checks this directory as the package graphfix.runtime
    from graphfix.runtime import graphfix_recorder as recorder
    from graphfix.runtime import graphfix_stubs as stubs
    from graphfix.runtime.graphfix_schema import STATUS_ERROR, STATUS_OK, ErrorJSON, ResultJSON, Status
else:  # in the target interpreter this directory is on sys.path, graphfix need not be installed
    import graphfix_recorder as recorder
    import graphfix_stubs as stubs
    from graphfix_schema import STATUS_ERROR, STATUS_OK


def _preload(flavor: str) -> list[str]:
    """Import TensorFlow and both Keras flavours once, and instrument them."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if flavor == "tf_keras":
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
    loaded = []
    try:
        import tensorflow  # noqa: F401

        loaded.append("tensorflow")
        recorder.install_tensorflow()
    except Exception:
        pass
    try:
        import keras  # noqa: F401

        if recorder.install_keras3():
            loaded.append("keras3")
    except Exception:
        pass
    if flavor == "tf_keras":
        try:
            import tf_keras  # noqa: F401

            if recorder.install_tf_keras():
                loaded.append("tf_keras")
        except Exception:
            pass
    else:  # rarely needed under Keras 3: instrument it when (if) the program imports it
        recorder.install_on_import("tf_keras", recorder.install_tf_keras)
    return loaded


def _run_child(request: dict[str, Any]) -> None:
    """In the forked child: run the program, write evidence, and leave without cleanup."""
    os.setsid()
    out_fd = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    _set_limits(request.get("limits") or {}, float(request.get("timeout", 60)))
    path = request["path"]
    directory = os.path.dirname(path) or "."
    scratch = request.get("scratch")
    if scratch:  # every temporary file of the run (TensorFlow's autograph, the stubs' saves) goes
        tempfile.tempdir = scratch  # here, and the worker removes it when the probe ends
        os.environ["TMPDIR"] = scratch
    recorder.reset({path})
    recorder.count_variable_creation()
    recorder.record_creations()
    recorder.record_inner_calls()
    stubs.install(bool(request.get("stubs", True)))
    holder: dict[str, types.ModuleType] = {}
    _dump_when_stopped(request, path, holder)
    status: Status = STATUS_OK
    error: ErrorJSON | None = None
    exit_code: int | None = None
    try:
        os.chdir(directory)
        _program_path(directory, request.get("pythonpath"))
        sys.argv = [path, *request.get("argv", [])]
        _serve_source(path, request["source"])
        code = stubs.compile_program(request["source"], path, bool(request.get("stubs", True)))
        entry = request.get("entry")
        if entry:
            module_name, _, function_name = entry.partition(":")
            module = holder["module"] = types.ModuleType(module_name)
            module.__file__ = path
            sys.modules[module_name] = module
            exec(code, module.__dict__)
            getattr(module, function_name)()
        else:
            module = holder["module"] = types.ModuleType("__main__")
            module.__file__ = path
            module.__dict__["__builtins__"] = __builtins__
            sys.modules["__main__"] = module
            exec(code, module.__dict__)
    except SystemExit as exc:
        code_value = exc.code
        exit_code = code_value if isinstance(code_value, int) else (0 if code_value is None else 1)
    except BaseException as exc:  # the program's own failure is evidence, not our crash
        status = STATUS_ERROR
        try:
            error = recorder.error_record(exc)
        except Exception as inner:
            error = {"type": type(exc).__name__, "message": f"{exc!s}"[:2000], "span": None, "traceback": repr(inner)}
    try:
        _write_result(request, status, error, exit_code, holder.get("module"))
    finally:
        os._exit(0)


def _write_result(request: dict[str, Any], status: Status, error: ErrorJSON | None, exit_code: int | None,
                  module: types.ModuleType | None) -> None:
    evidence: ResultJSON = {
        "status": status,
        "error": error,
        "exit_code": exit_code,
        **recorder.snapshot(module.__dict__ if module is not None else None),
        **recorder.lifetime_snapshot(),
        **recorder.inner_snapshot(),
        "stubbed": list(stubs.STUBBED),
        "keras": sorted(name for name in ("keras", "tf_keras") if name in sys.modules and _used(name)),
    }
    data = json.dumps(evidence, default=str)
    tmp = request["result"] + ".part"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(data)
    os.replace(tmp, request["result"])


STOP_SIGNAL = signal.SIGUSR1  # the worker's "time is up": write what you have and leave
STOPPED_TYPE = "ProbeTimeout"  # the error type of evidence written when the time ran out


def _dump_when_stopped(request: dict[str, Any], path: str, holder: dict[str, types.ModuleType]) -> None:
    """On the worker's stop signal, write the evidence gathered so far (layer calls, models,
    the line the program was running) and leave: a long loop after the model code must not
    throw the model's evidence away."""

    def stop(signum: int, frame: types.FrameType | None) -> None:
        line = None
        while frame is not None:
            if frame.f_code.co_filename == path:
                line = frame.f_lineno
                break
            frame = frame.f_back
        timeout = float(request.get("timeout", 60))
        error: ErrorJSON = {
            "type": STOPPED_TYPE,
            "message": f"the probe stopped the program after {timeout:g} s (--timeout)",
            "span": {"line": line, "end_line": line, "col": 0, "end_col": 0} if line else None,
            "traceback": "",
        }
        try:
            _write_result(request, STATUS_ERROR, error, None, holder.get("module"))
        finally:
            os._exit(0)

    signal.signal(STOP_SIGNAL, stop)


def _program_path(directory: str, pythonpath: str | None) -> None:
    """The import path `python script.py` would have: the script's folder, then PYTHONPATH's
    entries, then the interpreter's own (site-packages), without graphfix's runtime folder. A
    module the worker imported that the program's folder shadows (a local `utils.py`) is
    forgotten, so the program imports its own; modules the worker imported stay as they are
    for PYTHONPATH's entries."""
    runtime = os.path.dirname(os.path.abspath(__file__))
    extra = [os.path.abspath(entry) for entry in (pythonpath or "").split(os.pathsep) if entry]
    rest = [entry for entry in sys.path if entry and os.path.abspath(entry) != runtime and entry not in extra and entry != directory]
    sys.path[:] = [directory, *extra, *rest]
    if pythonpath:
        os.environ["PYTHONPATH"] = pythonpath
    else:
        os.environ.pop("PYTHONPATH", None)
    local = set()
    try:  # the script's folder only: a PYTHONPATH of whole site folders must not unload numpy
        for name in os.listdir(directory):
            stem = name[:-3] if name.endswith(".py") else name
            if stem.isidentifier() and (name.endswith(".py") or os.path.isfile(os.path.join(directory, name, "__init__.py"))):
                local.add(stem)
    except OSError:
        pass
    keep = set(sys.stdlib_module_names) | {"graphfix_recorder", "graphfix_stubs", "graphfix_schema", "graphfix_worker", "__main__"}
    inside = os.path.join(os.path.abspath(directory), "")
    for name in list(sys.modules):
        top = name.partition(".")[0]
        if top in local and top not in keep:
            module = sys.modules.get(name)
            if not os.path.abspath(getattr(module, "__file__", None) or "").startswith(inside):
                del sys.modules[name]
    import importlib

    importlib.invalidate_caches()


def _serve_source(path: str, source: str) -> None:
    """Tools that read source (autograph, inspect, tracebacks) must see the text being probed,
    which may be a rewrite that is not on disk. linecache holds it; autograph forces a re-read
    from disk (`updatecache`), so that is pinned too."""
    lines = source.splitlines(True)
    linecache.cache[path] = (len(source), None, lines, path)
    original = linecache.updatecache

    def updatecache(filename: str, module_globals: Any = None) -> list[str]:
        if filename == path:
            linecache.cache[path] = (len(source), None, lines, path)
            return lines
        return original(filename, module_globals)

    linecache.updatecache = updatecache  # type: ignore[assignment]


def _virtual_memory() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _set_limits(limits: dict[str, Any], timeout: float) -> None:
    """Memory (address space beyond what TensorFlow already mapped), CPU time, file size."""
    extra = int(limits.get("memory_bytes") or 6 * 1024**3)
    try:
        memory = _virtual_memory() + extra
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (OSError, ValueError):
        pass
    cpu = int(limits.get("cpu_seconds") or max(60, timeout * 4))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    size = 1024**3
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def _used(module_name: str) -> bool:
    module = sys.modules.get(module_name)
    return module is not None


def _wait(pid: int, timeout: float) -> tuple[str, int, int]:
    """Wait for the child; kill its whole process group when the wall-clock limit passes.
    Returns how it ended, the exit status or signal, and its peak resident memory in KiB."""
    deadline = time.monotonic() + timeout
    fd = os.pidfd_open(pid)
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _stop(pid, fd)
                _kill_group(pid)
                _, _, usage = os.wait4(pid, 0)
                return "timeout", 0, usage.ru_maxrss
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                _, status, usage = os.wait4(pid, 0)
                _kill_group(pid)  # the program's own children die with it
                if os.WIFSIGNALED(status):
                    return "signal", os.WTERMSIG(status), usage.ru_maxrss
                return "exited", os.WEXITSTATUS(status), usage.ru_maxrss
    finally:
        os.close(fd)


STOP_GRACE = 3.0  # seconds the child has to write its evidence once told to stop


def _stop(pid: int, fd: int) -> None:
    """Ask the child to write the evidence it has (it may be inside a long native call, where
    Python signal handlers wait: then it is killed after a grace period, evidence lost)."""
    try:
        os.kill(pid, STOP_SIGNAL)
    except (ProcessLookupError, PermissionError):
        return
    select.select([fd], [], [], STOP_GRACE)


def _resident_kib() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _fork_child(request: dict[str, Any]) -> int | None:
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        try:
            _run_child(request)
        finally:
            os._exit(70)
    return pid


def _cold_child(request: dict[str, Any]) -> int:
    """Start a fresh interpreter that runs one probe (used when forking is not possible)."""
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "once", json.dumps(request)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.abspath(__file__))},
    )
    return proc.pid


def once() -> None:
    """One probe in this (cold) process: import, instrument, run."""
    request = json.loads(sys.argv[2])
    _preload(os.environ.get("GRAPHFIX_FLAVOR", "keras3"))
    _run_child(request)


def serve() -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    flavor = sys.argv[2] if len(sys.argv) > 2 else "keras3"
    os.environ["GRAPHFIX_FLAVOR"] = flavor
    started = time.monotonic()
    loaded = _preload(flavor)
    hello = {"ready": True, "loaded": loaded, "import_seconds": round(time.monotonic() - started, 3), "pid": os.getpid()}
    protocol.write(json.dumps(hello) + "\n")
    forking = hasattr(os, "fork") and hasattr(os, "pidfd_open") and not os.environ.get("GRAPHFIX_NO_FORK")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        began = time.monotonic()
        request["scratch"] = tempfile.mkdtemp(prefix="graphfix-probe-")
        pid = _fork_child(request) if forking else None
        if pid is None:  # no fork here: a cold child imports everything again
            pid = _cold_child(request)
            cold = True
        else:
            cold = False
        how, value, peak = _wait(pid, float(request.get("timeout", 60)))
        shutil.rmtree(request["scratch"], ignore_errors=True)
        reply = {
            "how": how,
            "value": value,
            "seconds": round(time.monotonic() - began, 3),
            "probe_peak_kib": peak,
            "worker_rss_kib": _resident_kib(),
            "cold": cold,
        }
        protocol.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "once":
        once()
    else:
        serve()
