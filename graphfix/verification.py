"""Judging candidate repairs from the evidence of their re-probes: is a repair verified, and
how do verified repairs rank against each other.

Pure functions over `Evidence` and `Diagnosis` (no TensorFlow, no probing): the engine probes,
this module decides. The criteria, in order (lower ranks better):
1. verified: the fault is gone, no new fault appeared, and the program does not still fail with
   the error the fault was said to explain (that is `problem`, a yes/no gate, not a rank);
2. progress: the program runs to the end, or else stops later than the other candidates;
3. nothing silently dead: layer calls and Inputs that reach no model that built;
4. every model the program built before still builds;
5. the smallest edit (changed lines), which separates only repairs that build the same models.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from graphfix.ftypes import Diagnosis, Evidence, Fault, ModelBuild, ProbeStatus
from graphfix.graph import ConstructionGraph


@dataclass(frozen=True)
class Rank:
    """The runtime criteria of one verified candidate, comparable (lower is better)."""

    unfinished: int  # 0: the program ran to the end
    stop_line: int  # where an unfinished program stopped, negated (later is better); 0 when finished
    dead: int  # layer calls and Inputs that reach no built model
    lost_models: int  # models that built before the repair and no longer build
    edit: int  # changed lines

    @property
    def runtime(self) -> tuple[int, int, int, int]:
        """The criteria measured by running the program (everything but the edit size)."""
        return (self.unfinished, self.stop_line, self.dead, self.lost_models)

    def key(self) -> tuple[int, ...]:
        return (*self.runtime, self.edit)

    def describe(self) -> str:
        ran = "ran to the end" if not self.unfinished else f"stopped at line {-self.stop_line}"
        return f"{ran}, {self.dead} dead, {self.lost_models} models lost, {self.edit} lines changed"


def same_fault(a: Fault, b: Fault) -> bool:
    """Faults are matched by code and message: lines move when a rewrite adds or removes lines."""
    return a.code == b.code and a.message == b.message


def problem(
    before: Diagnosis,
    before_evidence: Evidence,
    after: Diagnosis,
    after_evidence: Evidence,
    applied: list[Fault],
    line_shift: int,
) -> str | None:
    """Why the re-probe does not confirm the repairs of `applied`, or None when it does.

    A program that stopped at a fault hid everything after it: faults or failures that appear
    only once it runs further were unreachable before, not introduced by the rewrite. A rewrite
    after which the program still fails with the very error a repaired fault explained is not a
    fix, whatever else changed (the error may now be blamed on another fault's line).
    """
    if after.error is not None:
        return f"re-probe failed: {after.error}"
    for fault in applied:
        if any(same_fault(fault, other) for other in after.faults):
            return f"re-probe still finds {fault.code}: {fault.message}"
    stopped_early = before_evidence.error is not None
    new = [f for f in after.faults if not any(same_fault(f, old) for old in before.faults)]
    if new and not stopped_early:
        return f"re-probe finds a new fault {new[0].code} at line {new[0].line}"
    old_error, new_error = before_evidence.error, after_evidence.error
    if old_error is not None and new_error is not None and old_error.summary == new_error.summary:
        explained = [f for f in applied if f.explains_error or (old_error.span is not None and f.line == old_error.span.line)]
        if explained and _same_place(old_error.span, new_error.span, line_shift):
            return f"the program still fails with the error {explained[0].code} explained: {new_error.summary}"
    if old_error is not None and new_error is not None and _same_place(old_error.span, new_error.span, line_shift) and new:
        return f"the program still stops at line {new_error.span.line if new_error.span else '?'}, now on {new[0].code}: {new[0].message}"
    if after.program_error is not None and after.program_error != before.program_error:
        if not stopped_early:
            return f"the fixed program fails: {after.program_error}"
        old = old_error.span if old_error is not None else None
        new_span = new_error.span if new_error is not None else None
        if old is None or new_span is None or new_span.line <= old.line + max(0, line_shift):
            return f"the fixed program fails: {after.program_error}"
    return None


def _same_place(old: object, new: object, shift: int) -> bool:
    from graphfix.ftypes import Span

    if not isinstance(old, Span) or not isinstance(new, Span):
        return old is None and new is None
    return abs(new.line - old.line) <= abs(shift) and new.col == old.col


def rank(before: Evidence, after: Evidence, text_before: str, text_after: str) -> Rank:
    finished = after.status is ProbeStatus.OK and after.error is None and after.exit_code in (None, 0)
    stop = 0
    if not finished and after.error is not None and after.error.span is not None:
        stop = -after.error.span.line
    return Rank(
        unfinished=0 if finished else 1,
        stop_line=stop,
        dead=dead_parts(after),
        lost_models=len(built_models(before) - built_models(after)),
        edit=edit_size(text_before, text_after),
    )


def dead_parts(evidence: Evidence) -> int:
    """Layer calls and Inputs of the construction graph that reach no model that built: work
    the program does whose weights no model trains (a dead branch, an Input left unused)."""
    graph = ConstructionGraph(evidence)
    live: set[int] = set()
    for model in evidence.models:
        if model.ok:
            live |= graph.ancestors(model.outputs)
    nested = [c for c in evidence.calls if c.model_inputs]
    grown = True
    while grown:  # a model called as a layer inside a live graph: its own graph is live too
        grown = False
        for call in nested:
            if any(t in live for t in call.outputs) and not set(call.model_inputs) <= live:
                live |= graph.descendants(call.model_inputs)
                grown = True
    dead_calls = sum(
        1
        for call in evidence.calls
        if call.span is not None and not call.failed and call.outputs and not any(t in live for t in call.outputs)
    )
    dead_inputs = sum(1 for t in evidence.tensors.values() if t.is_input and t.input_span is not None and t.tid not in live)
    return dead_calls + dead_inputs


def built_models(evidence: Evidence) -> set[str]:
    """Models that built, by variable name (or class and order when unnamed)."""
    names: set[str] = set()
    for position, model in enumerate(m for m in evidence.models if m.ok):
        names.add(model.name or f"{model.cls}#{position}")
    return names


def model_signature(evidence: Evidence) -> tuple[tuple[object, ...], ...]:
    """What the built models are, for telling apart repairs that build different models: per
    model, its input and output shapes and how many layer calls it contains."""
    graph = ConstructionGraph(evidence)
    found = []
    for model in evidence.models:
        if not model.ok:
            continue
        inside = graph.ancestors(model.outputs) & graph.descendants(model.inputs)
        calls = sum(1 for c in evidence.calls if any(t in inside for t in c.outputs))
        shapes_in = tuple(_shape(graph, t) for t in model.inputs)
        shapes_out = tuple(_shape(graph, t) for t in model.outputs)
        found.append((model.name or model.cls, shapes_in, shapes_out, calls))
    return tuple(sorted(found, key=repr))


def _shape(graph: ConstructionGraph, tid: int) -> object:
    tensor = graph.tensor(tid)
    return tensor.shape if tensor is not None else None


def edit_size(before: str, after: str) -> int:
    """Lines removed plus lines added."""
    return sum(
        1
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


LOSES_LAYERS = "loses layers (and their weights)"  # the one change a `drops_layers` plan may make
GAINS_OUTPUTS = "gains outputs"  # the one change an `exposes_outputs` plan may make
RESHAPES_OUTPUTS = "has outputs of other shapes"  # the one change a `reshapes_outputs` plan may make


def changed_models(before: Evidence, after: Evidence, allow: frozenset[str] = frozenset()) -> str | None:
    """How a fix changes a model that built before it (other input or output shapes, fewer layers
    and so weights, or no longer built), or None: the test of an unsafe fix. A model that gains the
    layers of a dead branch keeps its signature: that is the silent fault's repair. A model is
    kept when a model with its input and output shapes, and at least its layers, builds after
    (Keras names shift when a Sequential rebuilds its graph, so names only label the report).
    Changes of a kind in `allow` (LOSES_LAYERS, GAINS_OUTPUTS: the point of some repairs) pass."""
    graph_before, graph_after = ConstructionGraph(before), ConstructionGraph(after)

    def shapes(graph: ConstructionGraph, model: ModelBuild) -> tuple[tuple[object, ...], tuple[object, ...]]:
        return (tuple(_shape(graph, t) for t in model.inputs), tuple(_shape(graph, t) for t in model.outputs))

    def calls(graph: ConstructionGraph, model: ModelBuild) -> int:
        inside = graph.ancestors(model.outputs) & graph.descendants(model.inputs)
        return sum(1 for c in graph.calls if any(t in inside for t in c.outputs))

    built_after = [m for m in after.models if m.ok]
    for model in (m for m in before.models if m.ok):
        wanted = shapes(graph_before, model)
        alike = [m for m in built_after if shapes(graph_after, m) == wanted]
        if any(calls(graph_after, m) >= calls(graph_before, model) for m in alike):
            continue
        label = model.name or model.cls
        if alike:
            if LOSES_LAYERS in allow:
                continue
            return f"model `{label}` {LOSES_LAYERS}"
        extended = [
            m for m in built_after
            if shapes(graph_after, m)[0] == wanted[0] and shapes(graph_after, m)[1][: len(wanted[1])] == wanted[1]
            and len(m.outputs) > len(model.outputs) and calls(graph_after, m) >= calls(graph_before, model)
        ]
        if extended:
            if GAINS_OUTPUTS in allow:
                continue
            return f"model `{label}` {GAINS_OUTPUTS}"
        reshaped = [
            m for m in built_after
            if shapes(graph_after, m)[0] == wanted[0] and len(m.outputs) == len(model.outputs)
            and calls(graph_after, m) >= calls(graph_before, model)
        ]  # fmt: skip
        if reshaped:
            if RESHAPES_OUTPUTS in allow:
                continue
            return f"model `{label}` {RESHAPES_OUTPUTS}"
        renamed = any(model.name and m.name == model.name for m in built_after)
        return f"model `{label}` has other inputs or outputs" if renamed else f"model `{label}` no longer builds"
    return None
