"""Record the probe evidence of every corpus case, for tests/test_detect_evidence.py.

    .venv/bin/python tests/record_evidence.py            # every case, stale fixtures removed
    .venv/bin/python tests/record_evidence.py GF101 clean/autoencoder   # only these

For each case and each flavour its case.toml declares, program.py and expected.py are probed
(each copied as ``program.py`` into a temporary directory and run with the case's entry, as
`graphfix.corpus.run_case` does), and the result files the worker wrote are saved, before
parsing, to ``tests/evidence/<CODE>/<case>.<flavor>.json``::

    {"program": ResultJSON, "fixed": ResultJSON | null, "flavor": ..., "entry": ...,
     "sha256": {"program": ..., "expected": ...}}

(``fixed`` is null for clean look-alikes). The result files are made independent of the machine
and the run: the temporary directory becomes ``<tmp>``, the interpreter's prefix ``<python>``, the
repository ``<repo>``,
object ids (``uid``) are renumbered in order of appearance, tracebacks are dropped, and in
messages that quote one, autograph's files and line numbers outside the program are masked.
Needs TensorFlow; the tests that read the fixtures do not.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphfix.corpus import Case, load_cases  # noqa: E402
from graphfix.probe import ProbeRequest, Worker  # noqa: E402

EVIDENCE = ROOT / "tests" / "evidence"
TIMEOUT = 60.0  # as the engine's default
# in messages that quote a traceback (tf.function errors): the file autograph generated, with a
# random name; frames outside the probed program lose their line number and quoted line (they move
# when those files change); object ids and addresses
AUTOGRAPH_FILE = re.compile(r'[^\s"]*__autograph_generated_file\w*\.py')
LIBRARY_FRAME = re.compile(
    r'(File "(?:<python>|<repo>|<autograph>)[^"]*", line )\d+([^\n]*)(?:\n +(?!File ")\S[^\n]*)?'
)
OBJECT_ID = re.compile(r"\b(id=|0x)[0-9a-f]{6,}\b")


def fixture_path(case: Case, flavor: str) -> Path:
    return EVIDENCE / case.code / f"{case.name}.{flavor}.json"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def probe(worker: Worker, source: str, entry: str | None) -> dict[str, Any] | None:
    """The raw result of probing `source` as program.py in a fresh directory, made portable."""
    with tempfile.TemporaryDirectory(prefix="graphfix-evidence-") as tmp:
        directory = Path(tmp).resolve()
        target = directory / "program.py"
        target.write_text(source)
        worker.probe(ProbeRequest(path=str(target), source=source, entry=entry, timeout=TIMEOUT))
        result = worker.last_result
    if result is None:
        return None
    return portable(dict(result), str(directory))


def portable(result: dict[str, Any], tmp: str) -> dict[str, Any]:
    uids: dict[int, int] = {}

    def renumber(uid: int) -> int:
        return uids.setdefault(uid, len(uids) + 1)

    for key in ("calls", "models", "sequentials"):
        for item in result.get(key) or []:
            if "uid" in item:
                item["uid"] = renumber(item["uid"])
    for model in result.get("models") or []:
        if model.get("objects"):
            model["objects"] = {name: renumber(uid) for name, uid in model["objects"].items()}
    if result.get("error"):
        result["error"]["traceback"] = ""
    places = {sys.base_prefix: "<python>", sys.prefix: "<python>", str(ROOT): "<repo>", tmp: "<tmp>"}
    longest_first = sorted(places.items(), key=lambda item: len(item[0]), reverse=True)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            for place, name in longest_first:
                value = value.replace(place, name)
            value = AUTOGRAPH_FILE.sub("<autograph>.py", value)
            value = LIBRARY_FRAME.sub(r"\1?\2", value)
            return OBJECT_ID.sub(r"\1?", value)
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        return value

    return scrub(result)


def dump(value: Any, indent: str = "") -> str:
    """JSON with sorted keys; each call, tensor, model... on a line of its own (readable diffs)."""
    flat = json.dumps(value, sort_keys=True)
    if not isinstance(value, (dict, list)) or len(indent) >= 3 or len(flat) <= 100:
        return flat
    inner = indent + " "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(key)}: {dump(value[key], inner)}" for key in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return "[\n" + ",\n".join(inner + dump(item, inner) for item in value) + "\n" + indent + "]"


def record(workers: dict[str, Worker], case: Case, flavor: str) -> list[str]:
    """Write one fixture; returns what went wrong (a probe that wrote no result)."""
    program = (case.directory / "program.py").read_text()
    expected = None if case.clean else (case.directory / "expected.py").read_text()
    worker = workers[flavor]
    data: dict[str, Any] = {
        "program": probe(worker, program, case.entry),
        "fixed": None if expected is None else probe(worker, expected, case.entry),
        "flavor": flavor,
        "entry": case.entry,
        "sha256": {"program": sha256(program), "expected": None if expected is None else sha256(expected)},
    }
    problems = [
        f"{case.id} [{flavor}]: {side} wrote no result"
        for side in ("program", "fixed")
        if data[side] is None and not (side == "fixed" and case.clean)
    ]
    path = fixture_path(case, flavor)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(data) + "\n")
    return problems


def main(argv: list[str]) -> int:
    cases = [c for c in load_cases() if not argv or any(c.id == a or c.code == a for a in argv)]
    flavors = sorted({f for c in cases for f in c.flavors})
    workers = {flavor: Worker(flavor=flavor) for flavor in flavors}
    for worker in workers.values():
        worker.start()  # both import TensorFlow at once
    written: set[Path] = set()
    problems: list[str] = []
    try:
        for case in cases:
            for flavor in case.flavors:
                print(f"{case.id} [{flavor}]", flush=True)
                problems += record(workers, case, flavor)
                written.add(fixture_path(case, flavor))
    finally:
        for worker in workers.values():
            worker.close()
    if not argv:  # a full run: fixtures of cases no longer in the corpus go
        for path in EVIDENCE.glob("*/*.json"):
            if path not in written:
                path.unlink()
                print(f"removed {path.relative_to(ROOT)}")
        for directory in EVIDENCE.glob("*/"):
            if not any(directory.iterdir()):
                shutil.rmtree(directory)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(written)} fixtures in {EVIDENCE.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
