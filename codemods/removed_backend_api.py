"""GF402 removed-backend-api.

A ``keras.backend`` function that Keras 3 removed: ``K.get_value``, ``K.set_value``,
``K.batch_get_value``, ``K.eval``, ``K.variable``, ``K.int_shape``, and the session-era
``K.get_session``, ``K.set_session``, ``K.placeholder``, ``K.gradients`` (``K.function`` is GF202;
backend math that ``keras.ops`` has, ``K.mean``, ``K.maximum``, ..., is GF505).

Symptom: Keras 3 raises ``AttributeError: module 'keras.backend' has no attribute 'get_value'``
(or ``'keras._tf_keras.keras.backend'``) where the program calls it. tf-keras still has them.

Detection: the program fails with that error and the failing expression in the user's file is
``<module>.<name>`` for one of these names.

Fix, where Keras 3 documents a replacement with the same result:
``K.get_value(x)`` and ``K.eval(x)`` -> ``keras.ops.convert_to_numpy(x)`` (the same NumPy
value); ``K.batch_get_value(xs)`` -> ``list(map(keras.ops.convert_to_numpy, xs))`` (the same
list); ``K.set_value(v, value)`` -> ``v.assign(value)`` (the variable ends with the same
value); ``K.variable(value)`` -> ``keras.Variable(value)``; ``K.int_shape(x)`` ->
``tuple(x.shape)``. The session-era functions have no drop-in replacement: they are reported
with what to use instead (eager calls, ``keras.Input``, ``tf.GradientTape``, a sub-model) and
the code is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, call_at, drop_unused_backend_imports
from codemods.keras_api_table import BACKEND_MATH
from codemods.tf_op_on_keras_tensor import keras_prefix
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_ERROR = re.compile(r"module '(?P<module>[\w.]*backend)' has no attribute '(?P<name>\w+)'")

REWRITES = {
    "get_value": "{ops}.convert_to_numpy({0})",
    "eval": "{ops}.convert_to_numpy({0})",
    "batch_get_value": "list(map({ops}.convert_to_numpy, {0}))",
    "set_value": "{0}.assign({1})",
    "variable": "{keras}.Variable({0})",
    "int_shape": "tuple({0}.shape)",
}
REPORT_ONLY = {
    "get_session": "TF2 runs eagerly: call the model or function directly and drop the session",
    "set_session": "Keras 3 has no session: remove the call (configure TensorFlow with tf.config instead)",
    "placeholder": "use keras.Input(shape=...) for model inputs, or pass tensors as arguments",
    "gradients": "use tf.GradientTape to compute gradients",
    "batch_set_value": "assign each variable: `for v, value in pairs: v.assign(value)`",
}


@dataclass(frozen=True)
class Replacement(Plan):
    """The call of the removed `backend.<name>` at `call` becomes its documented Keras 3
    replacement (`REWRITES[name]`)."""

    call: Span
    name: str

    def describe(self) -> str:
        replacement = REWRITES.get(self.name, "?").format("x", "value", ops="keras.ops", keras="keras")
        return f"replacement: `backend.{self.name}(...)` becomes `{replacement}`"


class RemovedBackendApi(FaultRule):
    code = "GF402"
    name = "removed-backend-api"
    summary = "a keras.backend function that Keras 3 removed"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type != "AttributeError":
            return []
        match = _ERROR.search(error.message)
        if match is None:
            return []
        name = match.group("name")
        if name == "function" or (name == "get_session" and "run(" in index.source) or name in BACKEND_MATH:
            return []  # GF202 backend-function, GF203 session-fetch, GF505 removed-backend-math
        line, col = error.span.line, error.span.col + 1
        lead = f"`backend.{name}` was removed in Keras 3"
        if name in REPORT_ONLY:
            return [self.fault(line, col, f"{lead}: {REPORT_ONLY[name]}")]
        if name not in REWRITES:
            return [self.fault(line, col, f"{lead}; no direct replacement is known")]
        call = _call_of(index, error.span)
        if call is None:
            return [self.fault(line, col, f"{lead}; the call could not be located")]
        replacement = REWRITES[name].format("x", "value", ops="keras.ops", keras="keras")
        plan = Replacement(index.span_of(call), name)
        return [self.fault(line, col, f"{lead}; use `{replacement}`", repairs=(plan,))]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, Replacement):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        if plan.name not in REWRITES:
            raise Skip(f"`backend.{plan.name}` has no drop-in replacement")
        call = call_at(index, plan.call)
        template = REWRITES[plan.name]
        arguments = [a for a in call.args if a.keyword is None and not a.star]
        needed = len(re.findall(r"\{\d\}", template))
        if len(arguments) != needed or len(call.args) != needed:
            raise Skip(f"`{plan.name}` is called with arguments that do not map")
        keras = keras_prefix(index) or "keras"
        texts = [index.module.code_for_node(a.value) for a in arguments]
        if plan.name in ("set_value", "int_shape") and not isinstance(arguments[0].value, (cst.Name, cst.Attribute, cst.Subscript)):
            texts[0] = f"({texts[0]})"
        expression = cst.parse_expression(template.format(*texts, ops=f"{keras}.ops", keras=keras))

        class Replace(cst.CSTTransformer):
            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                return expression if original is call else updated

        code = drop_unused_backend_imports(index.module.visit(Replace()).code)
        needs_import = "{keras}" in template or "{ops}" in template
        return add_import(code, "import keras") if needs_import and not keras_prefix(index) else code

    EXAMPLES = (
        Example(
            before="import keras\nfrom keras import backend as K\nK.set_value(model.optimizer.learning_rate, 1e-4)\n",
            plan=Replacement(Span(3, 0, 3, 48), "set_value"),
            after="import keras\nmodel.optimizer.learning_rate.assign(1e-4)\n",
        ),
        Example(
            before="import tensorflow as tf\nweights = tf.keras.backend.batch_get_value(model.weights)\n",
            plan=Replacement(Span(2, 10, 2, 57), "batch_get_value"),
            after="import tensorflow as tf\nweights = list(map(tf.keras.ops.convert_to_numpy, model.weights))\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="import keras\nfrom keras import backend as K\nK.set_value(v, 1.0, extra)\n",
            plan=Replacement(Span(3, 0, 3, 26), "set_value"),
            note="more arguments than the replacement takes",
        ),
    )


def _call_of(index: SourceIndex, span: Span) -> cst.Call | None:
    """The call whose function is the failing `K.<name>` attribute (or the call itself)."""
    node = index.node_at(span, cst.Attribute) or index.node_at(span, cst.Call)
    if isinstance(node, cst.Call):
        return node
    parent = index.parent(node) if node is not None else None
    if isinstance(parent, cst.Call) and parent.func is node:
        return parent
    return None
