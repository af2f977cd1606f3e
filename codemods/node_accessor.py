"""GF201 node-accessor.

``layer.get_output_at(i)``, ``get_input_at``, ``get_output_shape_at``, ``get_input_shape_at``:
Keras 2 node accessors that Keras 3 removed.

Symptom: Keras 3 raises ``AttributeError: 'Dense' object has no attribute 'get_output_at'``.
tf-keras still has them (once the layer was called), so there it is not a fault.

Detection: the program fails with that error on a ``<layer>.get_..._at(<index>)`` call.

Fix, for node 0 (the layer's first call, which is the one a model built from it uses):
``get_output_at(0)`` -> ``.output``, ``get_input_at(0)`` -> ``.input``,
``get_output_shape_at(0)`` -> ``.output.shape``, ``get_input_shape_at(0)`` -> ``.input.shape``.
These read the same tensors (and their shapes) Keras 2 returned for node 0. A node index other
than 0 (a shared layer's later call) has no public Keras 3 equivalent (``.output`` silently
returns node 0), so it is reported and left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import call_at, rewrite
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

ACCESSORS = {
    "get_output_at": "output",
    "get_input_at": "input",
    "get_output_shape_at": "output.shape",
    "get_input_shape_at": "input.shape",
}
_ERROR = re.compile(r"object has no attribute '(?P<name>get_(?:output|input)(?:_shape)?_at)'")


@dataclass(frozen=True)
class NodeZeroAttribute(Plan):
    """The accessor call `<layer>.<name>(0)` at `call` becomes the attribute that reads node 0."""

    call: Span
    name: str  # the accessor: get_output_at, get_input_at, get_output_shape_at, get_input_shape_at

    def describe(self) -> str:
        return f"node-0 attribute: `.{self.name}(0)` becomes `.{ACCESSORS.get(self.name, '?')}`"


class NodeAccessor(FaultRule):
    code = "GF201"
    name = "node-accessor"
    summary = "layer.get_output_at(i) and friends, removed in Keras 3"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type != "AttributeError":
            return []
        match = _ERROR.search(error.message)
        if match is None:
            return []
        name = match.group("name")
        line, col = error.span.line, error.span.col + 1
        node = index.node_at(error.span, cst.Attribute)
        call = index.parent(node) if node is not None else None
        if not isinstance(node, cst.Attribute) or not isinstance(call, cst.Call) or call.func is not node:
            return [self.fault(line, col, f"`{name}` was removed in Keras 3; use `.{ACCESSORS[name]}` for node 0")]
        receiver = " ".join(index.module.code_for_node(node.value).split())
        node_index = _literal_index(call)
        if node_index != 0:
            return [
                self.fault(
                    line,
                    col,
                    f"`{receiver}.{name}(...)` reads a node other than 0: Keras 3 has no public equivalent "
                    "(`.output` is node 0); build a sub-model from that call's tensors instead",
                )
            ]
        plan = NodeZeroAttribute(index.span_of(call), name)
        message = f"`{receiver}.{name}(0)` was removed in Keras 3; use `{receiver}.{ACCESSORS[name]}`"
        return [self.fault(line, col, message, repairs=(plan,))]

    def detect_static(self, index: SourceIndex) -> list[Fault]:
        if "_at(" not in index.source:
            return []
        faults = []
        for node in index.positions:
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in ACCESSORS:
                name = node.func.attr.value
                span = index.span_of(node)
                receiver = " ".join(index.module.code_for_node(node.func.value).split())
                if _literal_index(node) == 0:
                    message = f"`{receiver}.{name}(0)` does not exist in Keras 3; use `{receiver}.{ACCESSORS[name]}`"
                    faults.append(self.fault(span.line, span.col + 1, message, repairs=(NodeZeroAttribute(span, name),)))
                else:
                    faults.append(self.fault(span.line, span.col + 1, f"`{receiver}.{name}(...)` does not exist in Keras 3"))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, NodeZeroAttribute):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        if plan.name not in ACCESSORS:
            raise Skip(f"`{plan.name}` is not a node accessor")
        call = call_at(index, plan.call)
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != plan.name or _literal_index(call) != 0:
            raise Skip("not a node-0 accessor call")
        value: cst.BaseExpression = func.value
        for part in ACCESSORS[plan.name].split("."):
            value = cst.Attribute(value=value, attr=cst.Name(part))
        return rewrite(index, {call: value})

    EXAMPLES = (
        Example(
            before="acts = [layer.get_output_at(0) for layer in model.layers]\n",
            plan=NodeZeroAttribute(Span(1, 8, 1, 30), "get_output_at"),
            after="acts = [layer.output for layer in model.layers]\n",
        ),
        Example(
            before="print(model.get_layer('conv1').get_input_shape_at(node_index=0))\n",
            plan=NodeZeroAttribute(Span(1, 6, 1, 63), "get_input_shape_at"),
            after="print(model.get_layer('conv1').input.shape)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="shared_out = shared.get_output_at(1)\n",
            plan=NodeZeroAttribute(Span(1, 13, 1, 36), "get_output_at"),
            note="node 1 of a shared layer: Keras 3 has no public accessor for it",
        ),
    )


def _literal_index(call: cst.Call) -> int | None:
    if len(call.args) != 1:
        return None
    value = call.args[0].value
    if call.args[0].keyword is not None and call.args[0].keyword.value != "node_index":
        return None
    return int(value.value) if isinstance(value, cst.Integer) else None
