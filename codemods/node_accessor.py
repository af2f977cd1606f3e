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
from typing import Any

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import call_at, rewrite, span_json
from graphfix.ftypes import Evidence, Fault, FixPlan
from graphfix.source import SourceIndex

ACCESSORS = {
    "get_output_at": "output",
    "get_input_at": "input",
    "get_output_shape_at": "output.shape",
    "get_input_shape_at": "input.shape",
}
_ERROR = re.compile(r"object has no attribute '(?P<name>get_(?:output|input)(?:_shape)?_at)'")


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
        if not isinstance(call, cst.Call) or call.func is not node:
            return [self.fault(line, col, f"`{name}` was removed in Keras 3; use `.{ACCESSORS[name]}` for node 0")]
        receiver = " ".join(index.module.code_for_node(node.value).split())  # type: ignore[union-attr]
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
        params = {"call": span_json(index.span_of(call)), "name": name}
        message = f"`{receiver}.{name}(0)` was removed in Keras 3; use `{receiver}.{ACCESSORS[name]}`"
        return [self.fault(line, col, message, fix=FixPlan(self.code, params))]

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
                    plan = FixPlan(self.code, {"call": span_json(span), "name": name})
                    faults.append(self.fault(span.line, span.col + 1, message, fix=plan))
                else:
                    faults.append(self.fault(span.line, span.col + 1, f"`{receiver}.{name}(...)` does not exist in Keras 3"))
        return faults

    def transform(self, index: SourceIndex, params: dict[str, Any]) -> str:
        call = call_at(index, params["call"])
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != params["name"] or _literal_index(call) != 0:
            raise Skip("not a node-0 accessor call")
        value: cst.BaseExpression = func.value
        for part in ACCESSORS[params["name"]].split("."):
            value = cst.Attribute(value=value, attr=cst.Name(part))
        return rewrite(index, {call: value})

    EXAMPLES = (
        Example(
            before="acts = [layer.get_output_at(0) for layer in model.layers]\n",
            params={"call": {"line": 1, "col": 8, "end_line": 1, "end_col": 30}, "name": "get_output_at"},
            after="acts = [layer.output for layer in model.layers]\n",
        ),
        Example(
            before="print(model.get_layer('conv1').get_input_shape_at(node_index=0))\n",
            params={"call": {"line": 1, "col": 6, "end_line": 1, "end_col": 63}, "name": "get_input_shape_at"},
            after="print(model.get_layer('conv1').input.shape)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="shared_out = shared.get_output_at(1)\n",
            params={"call": {"line": 1, "col": 13, "end_line": 1, "end_col": 36}, "name": "get_output_at"},
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
