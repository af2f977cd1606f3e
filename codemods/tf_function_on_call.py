"""GF301 tf-function-on-call.

``@tf.function`` on ``call`` of a Layer or Model subclass, where it breaks something. Keras
already compiles ``call`` (inside ``fit``, ``predict`` and any outer ``tf.function``); a
decorator on a ``call`` that only uses layers built in ``__init__`` runs correctly in both
flavours and is not reported.

Symptom: it breaks things when
- ``call`` creates layers or variables: tf-keras ``ValueError: tf.function only supports
  singleton tf.Variables created on the first call``; Keras 3 silently loses them (the layer's
  ``weights`` stay empty, never trained, never saved);
- ``call`` uses ``add_loss``: Keras 3 silently drops the loss term; tf-keras ``TypeError: ... is
  out of scope and cannot be used here``;
- it decorates ``Model.call`` under Keras 3: ``ValueError: No gradients provided for any
  variable.`` in ``fit``.

Detection: the decorated ``call`` shows one of these patterns in its source, and the probe saw
the class being called (or the program failed with one of the messages above).

Fix: remove the decorator. Keras traces ``call`` itself, so the computation is unchanged; the
layers, variables and losses are tracked again. A ``jit_compile=True`` argument is reported:
the place for it is ``model.compile(jit_compile=True)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.tf_functions import (
    calls_in,
    creates_layer,
    creates_variable,
    enclosing_class,
    functions,
    is_keras_subclass,
    is_model_subclass,
    tf_function_decorator,
)
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex

SYMPTOMS = ("singleton tf.Variables", "No gradients provided", "out of scope and cannot be used")


@dataclass(frozen=True)
class DropDecorator(Plan):
    """The `tf.function` decorator of `class_name.call` goes."""

    class_name: str

    def describe(self) -> str:
        return f"drop decorator: `{self.class_name}.call` loses its `@tf.function`"


class TfFunctionOnCall(FaultRule):
    code = "GF301"
    name = "tf-function-on-call"
    summary = "@tf.function on a Layer/Model call that creates weights, adds losses, or is Model.call in Keras 3"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        if "function" not in index.source:
            return []
        failed = evidence.error is not None and any(s in evidence.error.message for s in SYMPTOMS)
        faults = []
        for cls, call, decorator in _decorated_calls(index):
            name = cls.name.value
            if name not in evidence.user_classes and not failed:
                continue  # never ran: nothing observed
            no_gradients = evidence.error is not None and "No gradients provided" in evidence.error.message
            reason = _breaks(index, cls, call, evidence.flavor, no_gradients)
            if reason is None:
                continue
            span = index.span_of(decorator)
            jit = "jit_compile" in index.module.code_for_node(decorator)
            message = f"`@tf.function` on `{name}.call`, which {reason}; Keras already compiles `call`"
            if jit:
                message += " (move jit_compile=True to model.compile)"
            faults.append(
                self.fault(span.line, span.col + 1, message, repairs=(DropDecorator(name),), explains_error=failed)
            )
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, DropDecorator):
            raise Skip(f"not a {self.code} plan: {type(plan).__name__}")
        found = next(((c, d) for cls, c, d in _decorated_calls(index) if cls.name.value == plan.class_name), None)
        if found is None:
            raise Skip(f"no tf.function-decorated call in `{plan.class_name}`")
        call, decorator = found

        class Remove(cst.CSTTransformer):
            def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
                if original is not call:
                    return updated
                kept = [d for d, o in zip(updated.decorators, original.decorators) if o is not decorator]
                lines = list(updated.leading_lines)
                dropped = next(d for d, o in zip(updated.decorators, original.decorators) if o is decorator)
                lines.extend(dropped.leading_lines)  # comments above the decorator stay
                return updated.with_changes(decorators=kept, leading_lines=lines)

        return index.module.visit(Remove()).code

    EXAMPLES = (
        Example(
            before=(
                "import tensorflow as tf\n"
                "class Block(tf.keras.layers.Layer):\n"
                "    # the projection\n"
                "    @tf.function\n"
                "    def call(self, x):\n"
                "        return tf.keras.layers.Dense(4)(x)\n"
            ),
            plan=DropDecorator("Block"),
            after=(
                "import tensorflow as tf\n"
                "class Block(tf.keras.layers.Layer):\n"
                "    # the projection\n"
                "    def call(self, x):\n"
                "        return tf.keras.layers.Dense(4)(x)\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before="import tensorflow as tf\nclass Block(tf.keras.layers.Layer):\n    def call(self, x):\n        return x\n",
            plan=DropDecorator("Block"),
            note="no decorator to remove",
        ),
    )


def _decorated_calls(index: SourceIndex) -> list[tuple[cst.ClassDef, cst.FunctionDef, cst.Decorator]]:
    found = []
    for function in functions(index):
        if function.name.value != "call":
            continue
        decorator = tf_function_decorator(index, function)
        cls = enclosing_class(index, function)
        if decorator is not None and cls is not None and is_keras_subclass(index, cls):
            found.append((cls, function, decorator))
    return found


def _breaks(index: SourceIndex, cls: cst.ClassDef, call: cst.FunctionDef, flavor: str, no_gradients: bool) -> str | None:
    calls = calls_in(call)
    if any(creates_layer(index, c) for c in calls):
        return "creates layers on every call"
    if any(creates_variable(index, c) for c in calls):
        return "creates variables on every call"
    if any(index.module.code_for_node(c.func).endswith("add_loss") for c in calls):
        return "adds a loss"
    if is_model_subclass(index, cls) and (flavor == "keras3" or no_gradients):
        return "is a Model's call (Keras 3 then finds no gradients in fit)"
    return None
