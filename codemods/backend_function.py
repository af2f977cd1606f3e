"""GF202 backend-function.

``f = K.function([model.input], [layer.output])`` then ``f([x])``: the Keras 2 way to read
intermediate activations. Keras 3 removed ``keras.backend.function``.

Symptom: Keras 3 raises ``AttributeError: module 'keras._tf_keras.keras.backend' has no
attribute 'function'`` (or ``'keras.backend'``).

Detection: the program fails with that error on ``<backend>.function(inputs, outputs)`` whose
result is bound to a name.

Fix: a feature-extractor sub-model built once, ``f = keras.Model(inputs, outputs)``, and every
call ``f(xs)`` in that scope becomes ``f.predict(xs, verbose=0)``, which returns NumPy arrays
computed by the same layers with the same weights. The contract of each call is kept: a list of
outputs still gives a list in the same order (a one-element list is wrapped, since ``predict``
returns a bare array for a single output), a single output still gives one array. Programs that
feed ``K.learning_phase()`` or use the function in other ways (passed around, stored) are
reported, not rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, call_at, drop_unused_backend_imports, model_arg
from codemods.tf_op_on_keras_tensor import keras_prefix
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_ERROR = re.compile(r"module '[\w.]*backend' has no attribute 'function'")


@dataclass(frozen=True)
class SubModel(Plan):
    """The `backend.function(inputs, outputs)` call at `call`, bound to `name`, becomes a
    sub-model; every call `name(xs)` becomes `name.predict(xs, verbose=0)`."""

    call: Span
    name: str

    def describe(self) -> str:
        return f"sub-model: `{self.name}` becomes `keras.Model(inputs, outputs)`, called with `predict`"


class BackendFunction(FaultRule):
    code = "GF202"
    name = "backend-function"
    summary = "K.function([...], [...]) to read activations, removed in Keras 3"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or not _ERROR.search(error.message):
            return []
        line, col = error.span.line, error.span.col + 1
        node = index.node_at(error.span, cst.Attribute)
        call = index.parent(node) if node is not None else None
        lead = "`backend.function` was removed in Keras 3"
        if not isinstance(call, cst.Call) or call.func is not node:
            return [self.fault(line, col, f"{lead}: build a sub-model `keras.Model(inputs, outputs)`")]
        name = index.bound_name(call)
        if name is None or "learning_phase" in index.module.code_for_node(call):
            return [self.fault(line, col, f"{lead}: build a sub-model `keras.Model(inputs, outputs)` and call `predict`")]
        plan = SubModel(index.span_of(call), name)
        return [self.fault(line, col, f"{lead}: `{name}` becomes a sub-model called with `predict`", repairs=(plan,))]

    def detect_static(self, index: SourceIndex) -> list[Fault]:
        if ".function(" not in index.source:
            return []
        faults = []
        for node in index.positions:
            if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute) or node.func.attr.value != "function":
                continue
            owner = index.module.code_for_node(node.func.value)
            if not (owner in ("K", "backend") or owner.endswith(".backend")):
                continue
            name = index.bound_name(node)
            span = index.span_of(node)
            repairs = (SubModel(span, name),) if name else ()
            message = "`backend.function` does not exist in Keras 3: use a sub-model"
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, SubModel):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        call = call_at(index, plan.call)
        name = plan.name
        inputs, outputs = model_arg(call, 0, "inputs"), model_arg(call, 1, "outputs")
        if inputs is None or outputs is None or len(call.args) != 2 or index.bound_name(call) != name:
            raise Skip("the backend function does not take exactly inputs and outputs")
        single_list = isinstance(outputs.value, (cst.List, cst.Tuple)) and len(outputs.value.elements) == 1
        uses = _call_sites(index, call, name)
        prefix = keras_prefix(index)
        model = cst.Call(
            func=cst.parse_expression(f"{prefix or 'keras'}.Model"),
            args=[inputs.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT), outputs.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)],
        )
        replacements: dict[cst.CSTNode, cst.CSTNode] = {call: model}
        for use in uses:
            predict = cst.Call(
                func=cst.Attribute(value=use.func, attr=cst.Name("predict")),
                args=[*use.args[:-1], use.args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                      cst.Arg(cst.Integer("0"), keyword=cst.Name("verbose"), equal=cst.AssignEqual(
                          whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))],
            )
            replacements[use] = cst.List([cst.Element(predict)]) if single_list else predict

        class Replace(cst.CSTTransformer):
            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                return replacements.get(original, updated)  # type: ignore[return-value]

        code = drop_unused_backend_imports(index.module.visit(Replace()).code)
        return code if prefix else add_import(code, "import keras")

    EXAMPLES = (
        Example(
            before=(
                "import keras\n"
                "from keras import backend as K\n"
                "get_hidden = K.function([model.input], [model.layers[1].output])\n"
                "hidden = get_hidden([x])[0]\n"
            ),
            plan=SubModel(Span(3, 13, 3, 64), "get_hidden"),
            after=(
                "import keras\n"
                "get_hidden = keras.Model([model.input], [model.layers[1].output])\n"
                "hidden = [get_hidden.predict([x], verbose=0)][0]\n"
            ),
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "f = tf.keras.backend.function(inputs=model.inputs, outputs=[a.output, b.output])\n"
                "first, second = f(batch)\n"
            ),
            plan=SubModel(Span(2, 4, 2, 80), "f"),
            after=(
                "import tensorflow as tf\n"
                "f = tf.keras.Model(model.inputs, [a.output, b.output])\n"
                "first, second = f.predict(batch, verbose=0)\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before="import keras\nfrom keras import backend as K\nf = K.function([m.input], [m.output])\nrun_all(f)\n",
            plan=SubModel(Span(3, 4, 3, 37), "f"),
            note="the function is passed elsewhere: its callers are out of reach",
        ),
    )


def _call_sites(index: SourceIndex, definition: cst.Call, name: str) -> list[cst.Call]:
    """Every read of `name` (bound by this definition) must be a direct call `name(xs)`."""
    scope = index.scope_of(definition)
    if scope is None:
        raise Skip("no scope for the backend function")
    calls: list[cst.Call] = []
    for assignment in scope.assignments[name]:
        for access in assignment.references:
            parent = index.parent(access.node)
            if not isinstance(parent, cst.Call) or parent.func is not access.node or len(parent.args) != 1:
                raise Skip(f"`{name}` is used other than by calling it with one argument")
            calls.append(parent)
    if not calls:
        raise Skip(f"`{name}` is never called")
    return calls
