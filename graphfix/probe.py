"""Probe: run a program in a warm worker of the target interpreter and return its evidence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, cast

from graphfix.ftypes import (
    Creation,
    CreationFrame,
    Evidence,
    InnerCall,
    InnerTrace,
    LayerCall,
    ModelBuild,
    ProbeStatus,
    ProgramError,
    SequentialBuild,
    Span,
    Tensor,
)
from graphfix.runtime.graphfix_schema import STATUS_ERROR, ResultJSON, SpanJSON

RUNTIME_DIR = Path(__file__).parent / "runtime"
WORKER_SCRIPT = RUNTIME_DIR / "graphfix_worker.py"


class ProbeError(Exception):
    """The worker itself could not run (bad interpreter, no TensorFlow, worker died)."""


@dataclass(frozen=True)
class ProbeRequest:
    path: str  # absolute path the program lives at (its directory is cwd and sys.path[0])
    source: str  # the text to run: the file on disk or a rewritten version of it
    entry: str | None = None  # "module:function" to call instead of running as __main__
    timeout: float = 60.0
    memory_bytes: int | None = None  # address space the program may add (default 6 GiB)
    cpu_seconds: int | None = None  # CPU time (default: 4 x timeout, at least 60 s)
    stubs: bool = True  # dry-run stubs: fake datasets, no weights downloads, short fit, no network


def detect_flavor(source: str, environ: dict[str, str] | None = None) -> str:
    """Which Keras the program runs under: tf-keras if the environment or the program asks."""
    env = os.environ if environ is None else environ
    if env.get("TF_USE_LEGACY_KERAS", "").strip().lower() in ("1", "true", "yes"):
        return "tf_keras"
    if "TF_USE_LEGACY_KERAS" in source and ('"1"' in source or "'1'" in source):
        return "tf_keras"
    return "keras3"


class Worker:
    """One warm worker process: TensorFlow imported once, one fork per probe."""

    def __init__(self, python: str = sys.executable, flavor: str = "keras3", gpu: bool = False) -> None:
        self.python = python
        self.flavor = flavor
        self.gpu = gpu
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="graphfix-")
        self._count = 0
        self.hello: dict[str, Any] = {}
        self.last_reply: dict[str, Any] = {}  # timing and memory of the last probe (for bench/)
        self.last_result: ResultJSON | None = None  # the last probe's result file, as written (for tests/)

    def start(self) -> None:
        """Start the worker without waiting for its imports (call early, probe later)."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = self._spawn()
                self.hello = {}

    def _spawn(self) -> subprocess.Popen[str]:
        env = dict(os.environ)
        if not self.gpu:  # starting CUDA costs seconds, does not survive a fork, and is not needed
            env["CUDA_VISIBLE_DEVICES"] = ""
        env["TF_CPP_MIN_LOG_LEVEL"] = "3"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        if self.flavor == "tf_keras":
            env["TF_USE_LEGACY_KERAS"] = "1"
        else:
            env.pop("TF_USE_LEGACY_KERAS", None)
        # the program's PYTHONPATH after the runtime's: what TensorFlow and Keras import while
        # the worker preloads them (Pillow, say) is what they would import under `python script.py`
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(RUNTIME_DIR), os.environ.get("PYTHONPATH", "")) if p)
        try:
            return subprocess.Popen(
                [self.python, "-u", str(WORKER_SCRIPT), "serve", self.flavor],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
                cwd=self._tmp.name,
            )
        except OSError as exc:
            raise ProbeError(f"cannot start interpreter {self.python}: {exc.strerror}") from exc

    def _ready(self) -> subprocess.Popen[str]:
        """The running worker, once its imports are done (called with the lock held)."""
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._spawn()
            self.hello = {}
        proc = self._proc
        if not self.hello:
            hello = _read_line(proc.stdout)
            if hello is None:
                proc.kill()
                self._proc = None
                raise ProbeError(f"probe worker failed to start with {self.python}")
            if "tensorflow" not in hello.get("loaded", []):
                proc.kill()
                self._proc = None
                raise ProbeError(f"TensorFlow cannot be imported by {self.python}")
            self.hello = hello
        return proc

    def probe(self, request: ProbeRequest) -> Evidence:
        with self._lock:
            proc = self._ready()
            self._count += 1
            result = os.path.join(self._tmp.name, f"r{self._count}.json")
            output = os.path.join(self._tmp.name, f"o{self._count}.log")
            message = {
                "path": request.path,
                "source": request.source,
                "entry": request.entry,
                "timeout": request.timeout,
                "result": result,
                "output": output,
                "limits": {"memory_bytes": request.memory_bytes, "cpu_seconds": request.cpu_seconds},
                "stubs": request.stubs,
                "pythonpath": os.environ.get("PYTHONPATH", ""),  # the program imports what `python script.py` would
            }
            assert proc.stdin is not None
            try:
                proc.stdin.write(json.dumps(message) + "\n")
                proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                self._proc = None
                raise ProbeError("probe worker died") from exc
            reply = _read_line(proc.stdout)
            if reply is None:
                self._proc = None
                raise ProbeError("probe worker died")
            self.last_reply = reply
            try:
                self.last_result = _read_result(result)
                return _evidence(reply, self.last_result, output, self.flavor)
            finally:
                for path in (result, output):
                    if os.path.exists(path):
                        os.unlink(path)

    def close(self) -> None:
        """Stop the worker at once: it holds no state worth an orderly TensorFlow shutdown."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                if stream is not None:
                    stream.close()
            self._proc = None
        self._tmp.cleanup()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_line(stream: IO[str] | None) -> dict[str, Any] | None:
    if stream is None:
        return None
    line = stream.readline()
    if not line:
        return None
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


SIGNAL_REASONS = {
    9: "killed (signal 9)",
    11: "killed by signal 11 (segmentation fault)",
    24: "exceeded the probe's CPU-time limit (see --cpu-limit)",
    25: "exceeded the probe's file-size limit (1 GiB)",
}


def _tail(path: str, limit: int = 2000) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _read_result(path: str) -> ResultJSON | None:
    """The result file the probe child wrote; None when it wrote none (killed, crashed)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return cast(ResultJSON, json.load(handle))
    except (OSError, json.JSONDecodeError):
        return None


def _evidence(reply: dict[str, Any], data: ResultJSON | None, output: str, flavor: str) -> Evidence:
    tail = _tail(output)
    seconds = float(reply.get("seconds", 0.0))
    cold = ("probed in a cold process: forking is not possible here",) if reply.get("cold") else ()
    if reply.get("how") == "timeout":
        if data is not None and (data.get("calls") or data.get("models")):
            # the child wrote what it had when told to stop: the model code it ran is evidence
            partial = parse_evidence(data, flavor, tail, seconds)
            return replace(partial, detail="timed out", notes=(*cold, "timed out: the evidence gathered until then was kept"))
        return Evidence(ProbeStatus.TIMEOUT, flavor, detail="timed out", output_tail=tail, seconds=seconds, notes=cold)
    if data is None:
        if reply.get("how") == "signal":
            detail = SIGNAL_REASONS.get(int(reply.get("value") or 0), f"killed by signal {reply.get('value')}")
        else:
            detail = f"exited with status {reply.get('value')} before reporting"
        return Evidence(ProbeStatus.CRASHED, flavor, detail=detail, output_tail=tail, seconds=seconds, notes=cold)
    evidence = replace(parse_evidence(data, flavor, tail, seconds), notes=cold)
    if evidence.error is not None and evidence.error.type == "MemoryError":
        # the address-space limit was hit: a resource breach of the probe, not a program fault
        return replace(evidence, status=ProbeStatus.CRASHED, detail="exceeded the probe's memory limit (see --memory)")
    return evidence


def _span(data: SpanJSON | None) -> Span | None:
    return Span.from_json(cast("dict[str, Any] | None", data))


def parse_evidence(data: ResultJSON, flavor: str, tail: str = "", seconds: float = 0.0) -> Evidence:
    """Evidence from a result file (`graphfix_schema.ResultJSON`); needs no TensorFlow."""
    tensors: dict[int, Tensor] = {}
    for key, value in data.get("tensors", {}).items():
        shape = value.get("shape")
        tensors[int(key)] = Tensor(
            tid=int(key),
            shape=tuple(shape) if shape is not None else None,
            producer=value.get("producer"),
            is_input=bool(value.get("input")),
            input_span=_span(value.get("input_span")),
            flavor=value.get("flavor", ""),
        )
    calls = tuple(
        LayerCall(
            index=c["index"],
            layer=c["layer"],
            cls=c["cls"],
            uid=c["uid"],
            inputs=tuple(c["inputs"]),
            outputs=tuple(c["outputs"]),
            input_shapes=tuple(tuple(s) for s in c.get("input_shapes", [])),
            span=_span(c.get("span")),
            model_inputs=tuple(c.get("model_inputs", [])),
            flavor=c.get("flavor", ""),
            failed=bool(c.get("failed")),
            sites=tuple(s for s in map(_span, c.get("sites", [])) if s is not None),
        )
        for c in data.get("calls", [])
    )
    last_by_uid = {m.get("uid"): m for m in data.get("models", [])}  # tf-keras initialises twice
    models = tuple(
        ModelBuild(
            cls=m.get("cls", ""),
            uid=m.get("uid", 0),
            ok=bool(m.get("ok")),
            inputs=tuple(m.get("inputs", [])),
            outputs=tuple(m.get("outputs", [])),
            span=_span(m.get("span")),
            error=m.get("error"),
            name=m.get("name"),
            flavor=m.get("flavor", ""),
            names={str(k): int(v) for k, v in (m.get("names") or {}).items()},
            objects={str(k): int(v) for k, v in (m.get("objects") or {}).items()},
            object_inputs={str(k): tuple(int(t) for t in v) for k, v in (m.get("object_inputs") or {}).items()},
        )
        for m in data.get("models", [])
        if m.get("depth", 0) == 0 and last_by_uid.get(m.get("uid")) is m
    )
    sequentials = tuple(
        SequentialBuild(uid=s["uid"], name=s["name"], span=_span(s.get("span")))
        for s in data.get("sequentials", [])
    )
    error = None
    e = data.get("error")
    if e:
        shapes = tuple((name, tuple(shape)) for name, shape in sorted((e.get("data") or {}).items()))
        error = ProgramError(e["type"], e["message"], _span(e.get("span")), e.get("traceback", ""), shapes)
    status = ProbeStatus.ERROR if data.get("status") == STATUS_ERROR else ProbeStatus.OK
    return Evidence(
        status=status,
        flavor=flavor,
        calls=calls,
        tensors=tensors,
        models=models,
        sequentials=sequentials,
        error=error,
        exit_code=data.get("exit_code"),
        output_tail=tail,
        seconds=seconds,
        stubbed=tuple(data.get("stubbed", [])),
        user_classes={str(k): int(v) for k, v in (data.get("user_classes") or {}).items()},
        created_in_call={str(k): int(v) for k, v in (data.get("created_in_call") or {}).items()},
        tracked_after_call={str(k): int(v) for k, v in (data.get("tracked_after_call") or {}).items()},
        captures={str(k): tuple(v) for k, v in (data.get("captures") or {}).items()},
        rebound={str(k): tuple(v) for k, v in (data.get("rebound") or {}).items()},
        disagreeing=tuple(data.get("disagreeing") or ()),
        escaped=tuple(data.get("escaped") or ()),
        creations=_creations(data),
        inner_traces=_inner_traces(data),
    )


def _creations(data: ResultJSON) -> tuple[Creation, ...]:
    """The creation stacks the recorder kept (`graphfix_schema.CreationJSON`), in order."""
    found = []
    for entry in data.get("creations") or []:
        stack = tuple(
            CreationFrame(_span(f.get("span")), str(f.get("function", "")), str(f.get("cls", "")), bool(f.get("converted")),
                          bool(f.get("entry")))
            for f in entry.get("stack") or []
        )
        if stack:
            found.append(Creation(
                stack=stack,
                maker=str(entry.get("maker", "")),
                traced=bool(entry.get("traced")),
                callback=bool(entry.get("callback")),
                count=int(entry.get("count", 1)),
                name=str(entry.get("name", "")),
                calls=int(entry.get("calls", 1)),
            ))
    return tuple(found)


def _inner_traces(data: ResultJSON) -> tuple[InnerTrace, ...]:
    """Layer calls inside user classes (`graphfix_schema.InnerTraceJSON`), in order."""
    found = []
    for trace in data.get("inner_traces") or []:
        calls = tuple(
            InnerCall(
                index=int(c["index"]),
                layer=str(c["layer"]),
                cls=str(c["cls"]),
                uid=int(c["uid"]),
                inputs=tuple(int(t) for t in c["inputs"]),
                outputs=tuple(int(t) for t in c["outputs"]),
                span=_span(c.get("span")),
                reaches=bool(c.get("reaches")),
                converted=bool(c.get("converted")),
            )
            for c in trace.get("calls") or []
        )
        found.append(InnerTrace(str(trace["cls"]), str(trace["layer"]), calls, tuple(int(t) for t in trace.get("returned") or [])))
    return tuple(found)
