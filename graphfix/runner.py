"""Running one operation (check or fix) over many files: locally with N warm engines in
parallel, or on a Ray cluster. Results always come back in the order of the input files."""

from __future__ import annotations

import ast
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from graphfix.cache import ResultCache, key
from graphfix.ftypes import FileOutcome
from graphfix.options import Options
from graphfix.probe import ProbeError
from graphfix.writing import write_outcome

if TYPE_CHECKING:
    from codemods.base import FaultRule
    from graphfix.engine import Engine
    from graphfix.registry import Registry

Rules = Mapping[str, "FaultRule"] | Callable[[], Mapping[str, "FaultRule"]]

Progress = Callable[[FileOutcome], None]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def helper_modules(paths: Sequence[Path]) -> set[Path]:
    """The files among `paths` that another of them imports as a local module (same folder):
    `apply` fixes them first, so the scripts that import them are probed against the fixed ones."""
    by_folder = {(p.parent, p.stem): p for p in paths if p.suffix == ".py"}
    helpers: set[Path] = set()
    for path in paths:
        try:
            tree = ast.parse(path.read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                helper = by_folder.get((path.parent, name.split(".")[0]))
                if helper is not None and helper != path:
                    helpers.add(helper)
    return helpers


def run_file(
    path: Path,
    operation: str,
    options: Options,
    engine: Callable[[], Engine],
    raw: bytes | None = None,
    text: str | None = None,
    engine_here: bool = False,
) -> FileOutcome:
    """`operation` ("check", "fix" or "apply") of one file, or of `text` as if it were the file
    at `path`. With `options.server`, the warm server's engine does it (an apply is written here,
    only over the bytes the fix was computed from); with `engine_here`, `engine()`, an engine of
    this process with its own copy of the options, does (its probes still go to the server);
    when no server can be used, that engine probes in workers of its own, and a note says why."""
    note = None
    if options.server and options.run and not engine_here:
        from graphfix.server import run_in_server  # a socket client: no engine, rules or TensorFlow

        try:
            if raw is None and text is None:
                raw = path.read_bytes()
            source = text if text is not None else (raw or b"").decode("utf-8", "replace")
            outcome = run_in_server(path, "check" if operation == "check" else "fix", options, source, text)
        except (ProbeError, OSError) as exc:
            note = f"the probe server could not be used ({exc}): probed by this command"
        else:
            if operation == "apply" and outcome.fixed is not None and outcome.error is None:
                outcome = write_outcome(path, outcome, options.backup, expected=raw)
            return outcome
    here = engine()
    if note is not None:
        here.options = replace(here.options, server=False)  # its probes too: in workers of its own
    if text is None:
        outcome = here.run(path, operation)
    else:
        outcome = here.check(path, text=text) if operation == "check" else here.fix(path, text=text)
    return outcome if note is None else replace(outcome, notes=(*outcome.notes, note))


def run_local(
    paths: Sequence[Path],
    rules: Rules,
    options: Options,
    operation: str,
    jobs: int,
    progress: Progress | None = None,
    cache: ResultCache | None = None,
    engine_here: bool = False,
) -> list[FileOutcome]:
    """`operation` is "check", "fix" (diff) or "apply". With a cache, `check` and `fix` of a
    file whose result is known return it without probing. The other files go to the warm
    server's engine (`options.server`), `jobs` at a time, after asking it for that many warm
    workers; or, with `engine_here` or no server, to one engine (one warm worker per Keras
    flavour) per thread of this process."""
    local = threading.local()
    engines: list[Engine] = []
    lock = threading.Lock()
    def engine() -> Engine:
        from graphfix.engine import Engine  # libcst and the rules: only once a file is really probed

        if not hasattr(local, "engine"):
            with lock:  # the rules are discovered once, by the first thread that needs them
                local.engine = Engine(rules() if callable(rules) else rules, replace(options))
                engines.append(local.engine)
        return local.engine

    def cache_key(path: Path) -> tuple[bytes | None, str | None]:
        """The file's bytes and its cache key (None when the result must be computed anyway)."""
        try:
            raw = path.read_bytes()
        except OSError:
            return None, None
        if cache is None or operation == "apply" or not options.run:
            return raw, None
        return raw, key(path, raw, operation, options)

    keys = {path: cache_key(path) for path in paths}
    known = {path: cache.get(k) for path, (_, k) in keys.items() if k is not None} if cache is not None else {}
    missing = sum(1 for path in paths if known.get(path) is None)
    if options.server and options.run and not engine_here and missing > 1 and jobs > 1:
        from graphfix.server import warm_server

        threading.Thread(target=warm_server, args=(options, min(jobs, missing)), daemon=True).start()

    def one(path: Path) -> FileOutcome:
        raw, cache_key = keys[path]
        outcome = known.get(path)
        if outcome is None:
            outcome = run_file(path, operation, options, engine, raw, engine_here=engine_here)
            if cache is not None and cache_key is not None:
                cache.put(cache_key, outcome)
        if progress is not None:
            with lock:
                progress(outcome)
        return outcome

    try:
        if jobs <= 1 or len(paths) <= 1:
            return [one(p) for p in paths]
        helpers = helper_modules(paths) if operation == "apply" else set()
        done: dict[Path, FileOutcome] = {}
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for wave in ([p for p in paths if p in helpers], [p for p in paths if p not in helpers]):
                done.update(zip(wave, pool.map(one, wave)))
        return [done[p] for p in paths]
    finally:
        for eng in engines:
            eng.close()


def run_ray(
    paths: Sequence[Path], rules: Registry, options: Options, operation: str, jobs: int, address: str | None, progress: Progress | None = None
) -> list[FileOutcome]:
    """The same per-file jobs on Ray actors, one warm engine each. Sources travel to the actors
    and fixed sources come back; writing (--apply) happens here, atomically, as locally."""
    try:
        import ray
        from ray.util import ActorPool
    except ImportError as exc:
        raise RuntimeError("--executor ray needs Ray: pip install 'graphfix[ray]'") from exc
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)

    @ray.remote
    class EngineActor:
        def __init__(self, actor_options: Options) -> None:
            from graphfix.engine import Engine
            from graphfix.registry import discover

            self.engine = Engine(discover(), actor_options)  # another process: its own discovery

        def run(self, path: str, raw: bytes, operation: str) -> FileOutcome:
            return self.engine.run_source(Path(path), raw, operation)

    actors = [EngineActor.remote(options) for _ in range(max(1, jobs))]  # type: ignore[attr-defined]
    pool = ActorPool(actors)
    items = []
    for path in paths:
        try:
            raw = path.read_bytes()
        except OSError:
            raw = b""
        items.append((path, raw))
    outcomes: list[FileOutcome] = []
    remote_op = "fix" if operation == "apply" else operation
    results = pool.map(lambda actor, item: actor.run.remote(str(item[0].resolve()), item[1], remote_op), items)
    for (path, raw), outcome in zip(items, results):
        outcome = replace(outcome, path=str(path))
        if operation == "apply" and outcome.fixed is not None and outcome.error is None:
            outcome = write_outcome(path, outcome, options.backup, expected=raw)
        if progress is not None:
            progress(outcome)
        outcomes.append(outcome)
    for actor in actors:
        ray.kill(actor)
    return outcomes
