"""GF103 nested-model-output.

A feature-map or Grad-CAM model built from the outer model's inputs and a layer output *inside* a
nested base model: ``Model(outer.inputs, outer.get_layer('base').get_layer('conv').output)``.
The inner layer's output tensor belongs to the base model's own graph, which starts at the base
model's ``Input``, not at the outer model's.

Symptom: Keras 3 raises ``ValueError: Output with path `` is not connected to `inputs```;
tf-keras raises ``ValueError: Graph disconnected: cannot obtain value for tensor ... at layer
"<first layer of the base>"``.

Detection reads the construction graph: the requested outputs lead back to the inputs of a model
that the outer model calls as a layer.

Fix: build the extractor from the nested model's own inputs,
``Model(base.inputs, base.get_layer(name).output)``: the base model's graph computes the same
feature map from the same image, with the same weights. When the outer model's prediction is
wanted too (Grad-CAM: ``[conv_output, outer.output]``), the outer layers that follow the base are
re-applied, in order, to ``base.output`` (weights shared, the layers are the same objects), so one
model from ``base.inputs`` gives both tensors. A branching head (several layers reading the base
output) is reported, not rewritten.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import call_at, model_arg, rewrite
from graphfix.ftypes import Evidence, Fault, LayerCall, Plan, Span
from graphfix.graph import ConstructionGraph, Proposal, TensorNames, disconnected_models
from graphfix.source import SourceIndex


@dataclass(frozen=True)
class FromBaseInputs(Plan):
    """The model at `model` is built from the nested model's own inputs; each output whose head
    is not None is the outer layers named in `heads` re-applied, in order, to the base's output."""

    model: Span
    base_layer: str  # the nested model's layer name ("" when found without running)
    heads: tuple[tuple[str, ...] | None, ...]  # per output: None (inside the base) or the outer layers after it
    outer: str | None = None  # the outer model's variable, when the source does not name it

    def describe(self) -> str:
        base = f"`{self.base_layer}`" if self.base_layer else "the nested model"
        layers = [name for head in self.heads if head is not None for name in head]
        again = ", then " + ", ".join(f"`{name}`" for name in layers) + " again on its output" if layers else ""
        return f"from base inputs: the model at line {self.model.line} starts at {base}'s inputs{again}"


class NestedModelOutput(FaultRule):
    code = "GF103"
    name = "nested-model-output"
    summary = "a layer output inside a nested model is requested from the outer model's inputs"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        graph = ConstructionGraph(evidence)
        faults: list[Fault] = []
        for model, _, nested in disconnected_models(graph):
            if nested is None or model.span is None:
                continue
            line, col = model.span.line, model.span.col + 1
            heads: list[tuple[str, ...] | None] = []
            for output in model.outputs:
                roots = graph.roots([output])
                if roots <= set(nested.model_inputs):
                    heads.append(None)  # inside the base: keep as it is
                else:
                    heads.append(_head_after(graph, nested, output))
            lead = f"output of a layer inside nested model `{nested.layer}` is not connected to the outer model's inputs"
            if any(h == () for h in heads):
                faults.append(self.fault(line, col, f"{lead}; the outer head after `{nested.layer}` is not a simple chain"))
                continue
            outer = next((m for m in evidence.models if m.ok and set(m.inputs) == set(model.inputs)), None)
            outer_name = index.name_bound_at(outer.span) if outer is not None else None
            plan = FromBaseInputs(model.span, nested.layer, tuple(heads), outer_name)
            suggestion = f"build it from `{nested.layer}`'s own inputs"
            faults.append(self.fault(line, col, f"{lead}; {suggestion}", repairs=(plan,)))
        return faults

    def detect_static(self, index: SourceIndex) -> list[Fault]:
        """`Model(A.inputs, A.get_layer(b).get_layer(c).output)`: visible without running."""
        faults: list[Fault] = []
        if "get_layer" not in index.source:
            return faults
        for node in index.positions:
            if not isinstance(node, cst.Call) or not _calls_model(node):
                continue
            inputs, outputs = model_arg(node, 0, "inputs"), model_arg(node, 1, "outputs")
            if inputs is None or outputs is None or not isinstance(inputs.value, cst.Attribute):
                continue
            owner = index.module.code_for_node(inputs.value.value)
            elements = _output_elements(outputs.value)
            bases = [_get_layer_receiver(e) for e in elements]
            if not elements or any(b is None or _outer_receiver(b) is None for b in bases):
                continue
            if any(index.module.code_for_node(_outer_receiver(b)) != owner for b in bases):  # type: ignore[arg-type]
                continue
            span = index.span_of(node)
            plan = FromBaseInputs(span, "", (None,) * len(elements))
            message = "output of a layer inside a nested model, requested from the outer model's inputs (found without running)"
            faults.append(self.fault(span.line, span.col + 1, message, repairs=(plan,)))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, FromBaseInputs):
            raise Skip(f"not a {self.code} plan: {type(plan).__name__}")
        call = call_at(index, plan.model)
        inputs = model_arg(call, 0, "inputs")
        outputs = model_arg(call, 1, "outputs")
        if inputs is None or outputs is None:
            raise Skip("the model call does not name its inputs and outputs")
        elements = _output_elements(outputs.value)
        heads = plan.heads
        if len(elements) != len(heads):
            raise Skip("the outputs expression does not list the outputs one by one")
        base = None
        for element, head in zip(elements, heads):
            if head is None:
                base = _nested_receiver(index, element)
                if base is not None:
                    break
        if base is None:
            raise Skip("no `<model>.get_layer(...).output` expression names the nested model")
        replacements: dict[cst.CSTNode, cst.CSTNode] = {}
        attr = "inputs" if _ends_with(inputs.value, "inputs") or isinstance(inputs.value, cst.List) else "input"
        replacements[inputs.value] = cst.Attribute(value=base.deep_clone(), attr=cst.Name(attr))
        outer = _outer_receiver(base)
        if outer is None and plan.outer:
            outer = cst.Name(plan.outer)
        for element, head in zip(elements, heads):
            if head is None:
                continue
            if outer is None:
                raise Skip("cannot tell which model holds the layers after the nested model")
            value: cst.BaseExpression = cst.Attribute(value=base.deep_clone(), attr=cst.Name("output"))
            for layer_name in head:
                get = cst.Call(
                    func=cst.Attribute(value=outer.deep_clone(), attr=cst.Name("get_layer")),
                    args=[cst.Arg(cst.SimpleString(_quote(layer_name, base)))],
                )
                value = cst.Call(func=get, args=[cst.Arg(value)])
            replacements[element] = value
        return rewrite(index, replacements)

    def proposals(self, fault: Fault, plan: Plan, graph: ConstructionGraph, names: TensorNames) -> list[Proposal]:
        """The nested model's own inputs into the model (named by the probe only: a plan found
        without running names no base layer, and draws nothing)."""
        if not isinstance(plan, FromBaseInputs) or not plan.base_layer:
            return []
        evidence = graph.evidence
        model = next((m for m in evidence.models if m.span == plan.model), None)
        if model is None:
            return []
        nested = [c for c in evidence.calls if c.layer == plan.base_layer and c.model_inputs]
        if len({c.model_inputs for c in nested}) != 1:
            return []
        target = f"m{evidence.models.index(model)}"
        label = f"proposed input: {plan.base_layer}.inputs"
        return [Proposal(f"t{t}", target, label) for t in nested[0].model_inputs]

    EXAMPLES = (
        Example(
            before="feat = keras.Model(clf.inputs, clf.get_layer('base').get_layer('conv1').output)\n",
            plan=FromBaseInputs(Span(1, 7, 1, 81), base_layer="base", heads=(None,)),
            after="feat = keras.Model(clf.get_layer('base').inputs, clf.get_layer('base').get_layer('conv1').output)\n",
        ),
        Example(
            before=(
                "grad_model = Model(\n"
                "    net.input,\n"
                "    [net.get_layer(\"vgg\").get_layer(\"block5\").output, net.output],\n"
                ")\n"
            ),
            plan=FromBaseInputs(Span(1, 13, 4, 1), base_layer="vgg", heads=(None, ("pool", "dense"))),
            after=(
                "grad_model = Model(\n"
                "    net.get_layer(\"vgg\").input,\n"
                "    [net.get_layer(\"vgg\").get_layer(\"block5\").output, net.get_layer(\"dense\")(net.get_layer(\"pool\")(net.get_layer(\"vgg\").output))],\n"
                ")\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before="feat = keras.Model(clf.inputs, features)\n",
            plan=FromBaseInputs(Span(1, 7, 1, 40), base_layer="base", heads=(None,)),
            note="the nested model is not named in the expression: nothing to build the inputs from",
        ),
    )


def _calls_model(call: cst.Call) -> bool:
    func = call.func
    name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
    return name in ("Model", "Functional")


def _head_after(graph: ConstructionGraph, nested: LayerCall, output: int) -> tuple[str, ...]:
    """Names of the single-input layers from the nested model's output to `output`, in order;
    () when the path is not such a chain."""
    names: list[str] = []
    tid = output
    for _ in range(200):
        call = graph.producer(tid)
        if call is None:
            return ()
        if call.index == nested.index:
            return tuple(reversed(names))
        if len(call.inputs) != 1 or call.model_inputs:
            return ()
        names.append(call.layer)
        tid = call.inputs[0]
    return ()


def _output_elements(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(value, (cst.List, cst.Tuple)):
        return [e.value for e in value.elements if isinstance(e, cst.Element)]
    return [value]


def _ends_with(value: cst.BaseExpression, attr: str) -> bool:
    return isinstance(value, cst.Attribute) and value.attr.value == attr


def _get_layer_receiver(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """`R` in `R.get_layer(...).output` (or `.outputs`)."""
    if isinstance(value, cst.Attribute) and value.attr.value in ("output", "outputs"):
        inner = value.value
        if isinstance(inner, cst.Call) and isinstance(inner.func, cst.Attribute) and inner.func.attr.value == "get_layer":
            return inner.func.value
    return None


def _nested_receiver(index: SourceIndex, element: cst.BaseExpression) -> cst.BaseExpression | None:
    found = _get_layer_receiver(element)
    if found is not None:
        return found
    if isinstance(element, cst.Name):  # `feat = base.get_layer(...).output` earlier in the scope
        scope = index.scope_of(element)
        if scope is None:
            return None
        values = []
        for assignment in scope[element.value]:
            target = getattr(assignment, "node", None)
            parent = index.parent(target) if target is not None else None
            if isinstance(parent, cst.AssignTarget):
                statement = index.parent(parent)
                if isinstance(statement, cst.Assign):
                    values.append(statement.value)
        if len(values) == 1:
            return _get_layer_receiver(values[0])
    return None


def _outer_receiver(base: cst.BaseExpression) -> cst.BaseExpression | None:
    """`outer` in `outer.get_layer('base')`: the model that holds the layers after the base."""
    if isinstance(base, cst.Call) and isinstance(base.func, cst.Attribute) and base.func.attr.value == "get_layer":
        return base.func.value
    return None


def _quote(text: str, like: cst.CSTNode) -> str:
    """`text` as a string literal in the quote style the surrounding code uses."""
    quote = "'"
    for node in _strings(like):
        quote = node.value[-1]
        break
    if quote in text or "\\" in text:
        return repr(text)
    return f"{quote}{text}{quote}"


def _strings(node: cst.CSTNode) -> list[cst.SimpleString]:
    found: list[cst.SimpleString] = []

    class Finder(cst.CSTVisitor):
        def visit_SimpleString(self, n: cst.SimpleString) -> None:
            found.append(n)

    node.visit(Finder())
    return found
