"""GF101 disconnected-input.

A model's outputs depend on an ``Input`` that is not among the model's inputs, typically an
autoencoder whose decoder was built on its own ``Input(shape=(latent,))`` and then
``Model(encoder_input, decoded)``.

Symptom: Keras 3 raises ``ValueError: Output with path `` is not connected to `inputs```;
tf-keras raises ``ValueError: Graph disconnected: cannot obtain value for tensor ...``.

Detection reads the recorded construction graph, not the message: walking back from the model's
outputs reaches an ``Input`` tensor that is not one of the model's inputs (the orphan). A
replacement candidate is a tensor computed from the model's inputs, with the orphan's shape,
bound to a name in the source; a candidate that is computed but never used is preferred.
Exactly one candidate is needed; otherwise the candidates are reported and nothing is edited.

Fix, rewire: the orphan is replaced by the candidate at its points of use, and the orphan
``Input`` definition is removed once nothing reads it. This keeps every layer and its weights;
the only change is where the decoder's first layer takes its input from, which is the only
wiring under which the model can be built at all.

Fix, compose: when the orphan is the input of a sub-model that was built on its own
(``decoder = Model(latent_in, out)``) and the failing model's outputs are that sub-model's
outputs, the outputs become ``decoder(encoded)``: the sub-model stays usable on its own and the
combined model shares its weights.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import (
    call_at,
    defined_before,
    model_arg,
    remaining_reads,
    removable_assignment,
    rewrite,
    span_json,
)
from graphfix.ftypes import Evidence, Fault, FixPlan, LayerCall, ModelBuild, Span
from graphfix.graph import ConstructionGraph, same_shape
from graphfix.source import SourceIndex


def nested_model_for(graph: ConstructionGraph, model: ModelBuild, orphans: set[int]) -> LayerCall | None:
    """The call of a model, used as a layer on tensors computed from `model`'s inputs, whose own
    inputs are the orphans: the failing model reaches *into* a nested model (GF103)."""
    reachable = graph.descendants(model.inputs)
    for call in graph.calls:
        if call.model_inputs and orphans <= set(call.model_inputs) and any(t in reachable for t in call.inputs):
            return call
    return None


def orphan_inputs(graph: ConstructionGraph, model: ModelBuild) -> set[int]:
    roots = graph.roots(model.outputs)
    return {r for r in roots if (t := graph.tensor(r)) is not None and t.is_input and r not in model.inputs}


def disconnected_models(graph: ConstructionGraph) -> Iterator[tuple[ModelBuild, set[int], LayerCall | None]]:
    """Models that failed to build because their outputs reach Inputs they were not given:
    (model, those orphan Inputs, the nested model call they belong to, if any)."""
    for model in graph.evidence.models:
        if model.ok or model.span is None:
            continue
        orphans = orphan_inputs(graph, model)
        if orphans:
            yield model, orphans, nested_model_for(graph, model, orphans)


class DisconnectedInput(FaultRule):
    code = "GF101"
    name = "disconnected-input"
    summary = "model outputs depend on an Input that is not among the model's inputs"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        graph = ConstructionGraph(evidence)
        faults: list[Fault] = []
        for model, orphans, nested in disconnected_models(graph):
            if nested is not None:
                continue  # GF103 nested-model-output
            for orphan in sorted(orphans):
                faults.append(self._diagnose(graph, index, model, orphan))
        return faults

    def _diagnose(self, graph: ConstructionGraph, index: SourceIndex, model: ModelBuild, orphan: int) -> Fault:
        assert model.span is not None
        line, col = model.span.line, model.span.col + 1
        orphan_tensor = graph.tensor(orphan)
        assert orphan_tensor is not None
        orphan_name = index.name_bound_at(orphan_tensor.input_span) or "an Input"
        shape = orphan_tensor.shape
        lead = f"input `{orphan_name}` {shape_text(shape)} is not connected to the model inputs"

        from_inputs = graph.descendants(model.inputs)
        from_orphan = graph.descendants([orphan])
        orphan_call = index.node_at(orphan_tensor.input_span) if orphan_tensor.input_span else None
        scope = index.scope_of(orphan_call) if orphan_call is not None else None
        model_call = index.node_at(model.span)
        same_frame = scope is not None and model_call is not None and index.scope_of(model_call) is scope
        named: list[tuple[int, str]] = []
        for tid in sorted(from_inputs - from_orphan - set(model.inputs)):
            producer = graph.producer(tid)
            if producer is None or not same_shape(graph.tensor(tid), orphan_tensor):
                continue
            name = _name_for(index, tid, producer.span, model.names if same_frame else {}, scope, orphan_name)
            if name is not None:
                named.append((tid, name))
        unused = [(t, n) for t, n in named if not graph.used(t)]
        chosen = unused if len(unused) == 1 else named if len(named) == 1 else []
        if not chosen or orphan_name == "an Input" or scope is None:
            names = ", ".join(f"`{n}`" for _, n in named) or "none"
            return self.fault(
                line, col, f"{lead}; no unique replacement (candidates: {names})",
                candidates=tuple(n for _, n in named),
            )
        tid, replacement = chosen[0]
        message = f"{lead}; `{replacement}` {shape_text(graph.tensor(tid).shape)} fits"  # type: ignore[union-attr]

        submodel = next(
            (m for m in graph.evidence.models if m.ok and m.inputs == (orphan,) and set(model.outputs) <= set(m.outputs)),
            None,
        )
        if submodel is not None and submodel.span is not None:
            sub_name = index.name_bound_at(submodel.span)
            if sub_name is not None and len(model.outputs) == 1:
                params = {"mode": "compose", "model": span_json(model.span), "submodel": sub_name, "replacement": replacement}
                return self.fault(line, col, f"{message}; compose as `{sub_name}({replacement})`", fix=FixPlan(self.code, params))
        uses = _loads(index, scope, orphan_name)
        if uses is None:
            return self.fault(line, col, f"{lead}; `{orphan_name}` is also a model input: report only", candidates=(replacement,))
        params = {
            "mode": "rewire",
            "orphan": orphan_name,
            "orphan_def": span_json(orphan_tensor.input_span),
            "replacement": replacement,
            "uses": [span_json(index.span_of(n)) for n in uses],
        }
        return self.fault(line, col, message, fix=FixPlan(self.code, params))

    def transform(self, index: SourceIndex, params: dict[str, Any]) -> str:
        if params["mode"] == "compose":
            return _compose(index, params)
        return _rewire(index, params)

    EXAMPLES = (
        Example(
            before=(
                "inp = keras.Input(shape=(64,))\n"
                "code = layers.Dense(8)(inp)\n"
                "# the decoder\n"
                "z = keras.Input(shape=(8,))\n"
                "out = layers.Dense(64)(z)\n"
                "model = keras.Model(inp, out)\n"
            ),
            params={
                "mode": "rewire", "orphan": "z", "replacement": "code",
                "orphan_def": {"line": 4, "col": 4, "end_line": 4, "end_col": 27},
                "uses": [{"line": 5, "col": 23, "end_line": 5, "end_col": 24}],
            },
            after=(
                "inp = keras.Input(shape=(64,))\n"
                "code = layers.Dense(8)(inp)\n"
                "# the decoder\n"
                "out = layers.Dense(64)(code)\n"
                "model = keras.Model(inp, out)\n"
            ),
        ),
        Example(
            before=(
                "x = Input((4,))\n"
                "h = Dense(2)(x)\n"
                "z = Input((2,))\n"
                "dec = Model(z, Dense(4)(z))\n"
                "ae = Model(x, dec.output)\n"
            ),
            params={"mode": "compose", "submodel": "dec", "replacement": "h",
                    "model": {"line": 5, "col": 5, "end_line": 5, "end_col": 25}},
            after=(
                "x = Input((4,))\n"
                "h = Dense(2)(x)\n"
                "z = Input((2,))\n"
                "dec = Model(z, Dense(4)(z))\n"
                "ae = Model(x, dec(h))\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before=(
                "z = keras.Input(shape=(8,))\n"
                "out = layers.Dense(64)(z)\n"
                "code = layers.Dense(8)(inp)\n"
            ),
            params={
                "mode": "rewire", "orphan": "z", "replacement": "code",
                "orphan_def": {"line": 1, "col": 4, "end_line": 1, "end_col": 27},
                "uses": [{"line": 2, "col": 23, "end_line": 2, "end_col": 24}],
            },
            note="the replacement is computed after the use: rewiring would read an undefined name",
        ),
    )


def shape_text(shape: tuple[int | None, ...] | None) -> str:
    if shape is None:
        return "(?)"
    parts = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _rewire(index: SourceIndex, params: dict[str, Any]) -> str:
    orphan, replacement = params["orphan"], params["replacement"]
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for span in params["uses"]:
        name = index.node_at(Span(span["line"], span["col"], span["end_line"], span["end_col"]), cst.Name)
        if not isinstance(name, cst.Name) or name.value != orphan:
            raise Skip(f"`{orphan}` is not read at line {span['line']}")
        if not defined_before(index, replacement, name):
            raise Skip(f"`{replacement}` is not defined before line {span['line']}")
        replacements[name] = cst.Name(replacement)
    if not replacements:
        raise Skip("the orphan input is not used")
    removals: set[cst.CSTNode] = set()
    definition = call_at(index, params["orphan_def"])
    if remaining_reads(index, orphan, definition, set(replacements)) == 0:
        statement = removable_assignment(index, orphan, definition)
        if statement is not None:
            removals.add(statement)
    return rewrite(index, replacements, removals)


def _name_for(
    index: SourceIndex, tid: int, span: Any, frame_names: dict[str, int], scope: Any, orphan: str
) -> str | None:
    """A name the tensor is bound to and that the orphan's scope can read: where the model is
    built (a helper's result is named only by its caller), or where the tensor was made."""
    for name in sorted(n for n, t in frame_names.items() if t == tid and n != orphan):
        if scope is not None and len(scope.assignments[name]) == 1:
            return name
    bound = index.name_bound_at(span)
    return bound if bound != orphan else None


def _loads(index: SourceIndex, scope: Any, name: str) -> list[cst.Name] | None:
    """Every read of `name` in its scope; None when one of them is a model's inputs (then the
    Input is meant as a model input, and rewiring would change that model)."""
    loads: list[cst.Name] = []
    for assignment in scope.assignments[name]:
        for access in assignment.references:
            node = access.node
            if not isinstance(node, cst.Name):
                return None
            parent = index.parent(index.parent(node))  # Name -> Arg -> Call
            if isinstance(parent, cst.Call) and index.module.code_for_node(parent.func).split(".")[-1] in ("Model", "Functional"):
                return None
            loads.append(node)
    return loads


def _compose(index: SourceIndex, params: dict[str, Any]) -> str:
    call = call_at(index, params["model"])
    outputs = model_arg(call, 1, "outputs")
    if outputs is None:
        raise Skip("the model call has no outputs argument")
    if not defined_before(index, params["replacement"], call) or not defined_before(index, params["submodel"], call):
        raise Skip("the sub-model or the replacement tensor is not defined before the model call")
    composed = cst.Call(func=cst.Name(params["submodel"]), args=[cst.Arg(cst.Name(params["replacement"]))])
    return rewrite(index, {outputs.value: composed})
