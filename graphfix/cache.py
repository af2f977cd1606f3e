"""A result cache for `check` and `fix` (never `--apply`), as ruff and pre-commit users expect:
an unchanged file is not probed again.

The key is everything a result depends on: the file's bytes, the bytes of the project's own
modules it imports (siblings and packages next to it, followed recursively), the interpreter
that probes it, the Keras flavour asked for (and `TF_USE_LEGACY_KERAS`), graphfix's own code
(its version and a digest of its sources, so a changed rule invalidates everything), the
operation and every option that changes the outcome. Entries are pickled `FileOutcome`s under
the cache directory (`--cache-dir`, `GRAPHFIX_CACHE_DIR`, default `~/.cache/graphfix`); an
outcome that says the file could not be handled is never stored, and a corrupt entry is a miss.
`--no-cache` (or `GRAPHFIX_NO_CACHE=1`) turns it off.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import os
import pickle
from dataclasses import asdict, dataclass, is_dataclass, replace
from pathlib import Path
from typing import Any

from graphfix.ftypes import Fault, FaultOutcome, FileOutcome, Plan
from graphfix.writing import write_output

FORMAT = 2  # bump when the pickled outcome's shape changes


def default_directory() -> Path | None:
    """Where entries live, or None when the cache is off by environment."""
    if os.environ.get("GRAPHFIX_NO_CACHE"):
        return None
    configured = os.environ.get("GRAPHFIX_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "graphfix"


@functools.cache
def code_digest() -> str:
    """graphfix's version and a digest of its own sources (graphfix/ and codemods/)."""
    from graphfix.report import tool_version

    digest = hashlib.sha256(tool_version().encode())
    root = Path(__file__).resolve().parent.parent
    for package in ("graphfix", "graphfix/runtime", "codemods"):
        for path in sorted((root / package).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def local_imports(path: Path, seen: set[Path] | None = None) -> list[Path]:
    """The project's own modules `path` imports (a sibling `name.py` or package `name/`),
    recursively; files that cannot be read or parsed count by their bytes alone."""
    seen = seen if seen is not None else {path.resolve()}
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.module:
                names.add(node.module.split(".")[0])
            if node.level:
                names.update(alias.name for alias in node.names)
    found: list[Path] = []
    for name in sorted(names):
        for candidate in (path.parent / f"{name}.py", path.parent / name / "__init__.py"):
            resolved = candidate.resolve()
            if resolved in seen or not candidate.is_file():
                continue
            seen.add(resolved)
            found.append(candidate)
            found.extend(local_imports(candidate, seen))
    return found


def key(path: Path, raw: bytes, operation: str, options: Any) -> str:
    """The cache key of one file's result under `options` (an `engine.Options`)."""
    digest = hashlib.sha256(f"{FORMAT}\0{code_digest()}\0{operation}\0".encode())
    digest.update(str(path.resolve()).encode() + b"\0" + raw)
    for module in local_imports(path):
        try:
            digest.update(str(module).encode() + b"\0" + module.read_bytes())
        except OSError:
            digest.update(str(module).encode())
    settings = asdict(options) if is_dataclass(options) and not isinstance(options, type) else dict(vars(options))
    settings.pop("cache_dir", None)
    python = str(settings.get("python", ""))
    try:
        stamp = os.stat(python).st_mtime_ns
    except OSError:
        stamp = 0
    digest.update(repr(sorted((k, repr(v)) for k, v in settings.items())).encode())
    digest.update(f"{python}\0{stamp}\0{os.environ.get('TF_USE_LEGACY_KERAS', '')}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredPlan(Plan):
    """A repair as the cache keeps it: what the reports read of a plan (its kind, whether it is
    safe, its description), with no reference to the rule's class, so that reading an entry back
    does not import the rules (and libcst)."""

    stored_kind: str = ""
    stored_unsafe: bool = False
    text: str = ""

    @property
    def safe(self) -> bool:
        return not self.stored_unsafe

    @property
    def kind(self) -> str:
        return self.stored_kind

    def __str__(self) -> str:
        return self.text


def _stored(plan: Plan) -> Plan:
    return StoredPlan(stored_kind=plan.kind, stored_unsafe=not plan.safe, text=str(plan))


def light_outcome(outcome: FileOutcome) -> FileOutcome:
    """`outcome` with every plan replaced by its `StoredPlan` (what the cache keeps and the
    probe server sends back: reading it loads neither the rules nor libcst)."""

    def fault(item: Fault) -> Fault:
        return replace(item, repairs=tuple(_stored(p) for p in item.repairs))

    def fault_outcome(item: FaultOutcome) -> FaultOutcome:
        chosen = None if item.chosen is None else _stored(item.chosen)
        return replace(item, fault=fault(item.fault), chosen=chosen)

    return replace(outcome, faults=tuple(fault_outcome(f) for f in outcome.faults))


class ResultCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _entry(self, cache_key: str) -> Path:
        return self.directory / cache_key[:2] / f"{cache_key}.pickle"

    def get(self, cache_key: str) -> FileOutcome | None:
        try:
            data = self._entry(cache_key).read_bytes()
            outcome = pickle.loads(data)
        except Exception:  # missing, unreadable or from another graphfix: a miss
            return None
        return outcome if isinstance(outcome, FileOutcome) else None

    def put(self, cache_key: str, outcome: FileOutcome) -> None:
        if outcome.error is not None or outcome.written:
            return
        entry = self._entry(cache_key)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            write_output(entry, pickle.dumps(light_outcome(outcome), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return  # a cache that cannot be written is only slower
