"""`--target both`: a team migrating between tf-keras and Keras 3 wants only fixes that hold under
both. Each file is probed, fixed and verified under each flavour on its own; a fix counts only
when both flavours verified it and arrived at the same source. Faults are the union of what
either flavour saw (a fault seen under one only names it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from graphfix.ftypes import FaultOutcome, FileOutcome, FixState
from graphfix.options import Options
from graphfix.verification import same_fault
from graphfix.writing import write_outcome

FLAVOURS = ("keras3", "tf_keras")
TARGETS = (*FLAVOURS, "both")

Execute = Callable[[Options, str], list[FileOutcome]]


def run_both(paths: Sequence[Path], options: Options, operation: str, execute: Execute) -> list[FileOutcome]:
    """`operation` ("check", "fix" or "apply") under each flavour through `execute` (which never
    writes here); with "apply", only a fix both flavours agree on is written."""
    originals: dict[Path, bytes | None] = {}
    for path in paths:
        try:
            originals[path] = path.read_bytes()
        except OSError:
            originals[path] = None
    probe_operation = "check" if operation == "check" else "fix"
    first, second = (execute(replace(options, flavor=flavour), probe_operation) for flavour in FLAVOURS)
    merged = [combine(a, b, operation != "check") for a, b in zip(first, second)]
    if operation != "apply":
        return merged
    written = []
    for path, outcome in zip(paths, merged):
        if outcome.fixed is not None and outcome.error is None:
            outcome = write_outcome(path, outcome, options.backup, expected=originals.get(path))
        written.append(outcome)
    return written


def combine(a: FileOutcome, b: FileOutcome, fixing: bool) -> FileOutcome:
    """One outcome from the keras3 (`a`) and tf_keras (`b`) runs of the same file."""
    if a.error or b.error:
        error = a.error or b.error
        which = FLAVOURS[0] if a.error else FLAVOURS[1]
        return replace(a, error=f"under {which}: {error}")
    seen_a, seen_b = [i.fault for i in a.faults], [i.fault for i in b.faults]
    faults = [i if any(same_fault(i.fault, f) for f in seen_b) else _only_under(i, FLAVOURS[0]) for i in a.faults]
    faults += [_only_under(i, FLAVOURS[1]) for i in b.faults if not any(same_fault(i.fault, f) for f in seen_a)]
    program_error = a.program_error or b.program_error
    if program_error is not None and a.program_error != b.program_error and a.program_error and b.program_error:
        program_error = f"{a.program_error} (keras3); {b.program_error} (tf_keras)"
    notes = a.notes + tuple(n for n in b.notes if n not in a.notes)
    if not fixing:
        return replace(a, faults=tuple(faults), program_error=program_error, notes=notes)
    agreed = a.fixed is not None and a.fixed == b.fixed
    if a.fixed is None and b.fixed is None or agreed:
        return replace(a, faults=tuple(faults), program_error=program_error, notes=notes)
    why = _disagreement(a, b)
    held = tuple(
        replace(item, state=FixState.UNVERIFIED, reason=why) if item.state is FixState.VERIFIED and not item.held_back else item
        for item in faults
    )
    return replace(
        a,
        faults=held,
        fixed=None,
        unverified=a.fixed or b.fixed,
        program_error=program_error,
        notes=notes + (f"--target both: {why}",),
    )


def _disagreement(a: FileOutcome, b: FileOutcome) -> str:
    if a.fixed is None:
        return "the fix verified under tf_keras only, not under keras3"
    if b.fixed is None:
        return "the fix verified under keras3 only, not under tf_keras"
    return "keras3 and tf_keras verified different fixes"


def _only_under(item: FaultOutcome, flavour: str) -> FaultOutcome:
    fault = replace(item.fault, message=f"{item.fault.message} (under {flavour} only)")
    return replace(item, fault=fault)
