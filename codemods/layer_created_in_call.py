"""GF302 layer-created-in-call.

A layer, ``tf.Variable`` or ``add_weight`` constructed inside ``call`` of a Layer or Model
subclass: every call makes new, randomly initialised weights.

Symptom: eagerly, ``m(x) == m(x)`` is False and nothing trains (the new weights are not tracked);
in ``fit`` (a traced function) ``ValueError: tf.function only supports singleton tf.Variables
created on the first call``.

Detection: ``call`` of a Keras subclass in the file constructs a Keras layer or a variable, and
the probe saw that class being called (or the program failed with the singleton error).

Fix: hoist each construction into ``__init__`` as an attribute (named after the variable it was
bound to, or the layer kind: ``self.dense``, ``self.conv2d``; unique within the class), created
after everything ``__init__`` already sets, so constructor arguments that read ``self.<attr>``
keep working; ``call`` uses the attribute. When ``__init__`` is missing, one is added that
forwards its keyword arguments to the base class. What ``call`` computes is unchanged except that
the weights are now created once and tracked, which is what makes them trainable and savable.
A constructor that reads ``call``'s own inputs or locals (say ``inputs.shape[-1]``) needs the
input shape: that is ``build``'s job and is reported, not rewritten.
"""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.tf_functions import (
    calls_in,
    creates_layer,
    creates_variable,
    enclosing_class,
    functions,
    is_keras_subclass,
    method,
)
from graphfix.ftypes import Evidence, Fault, FixPlan
from graphfix.source import SourceIndex

SINGLETON = "singleton tf.Variables"


class LayerCreatedInCall(FaultRule):
    code = "GF302"
    name = "layer-created-in-call"
    summary = "a layer or variable constructed inside call (new weights every call)"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        failed = evidence.error is not None and SINGLETON in evidence.error.message
        faults = []
        for cls, call, made in _constructions(index):
            name = cls.name.value
            if name not in evidence.user_classes and not failed:
                continue
            first = made[0]
            span = index.span_of(first)
            kinds = ", ".join(sorted({index.module.code_for_node(c.func).split(".")[-1] for c in made}))
            hoistable = all(_hoistable(index, call, c) for c in made)
            message = f"`{name}.call` constructs {kinds} on every call: new, untracked weights each time"
            created, tracked = evidence.created_in_call.get(name), evidence.tracked_after_call.get(name)
            if created is not None and tracked is not None and created > tracked:
                message += f" (the probe saw {created} variables made in one call, {tracked} tracked)"
            if name in evidence.disagreeing:
                message += "; two calls on the same input gave different outputs"
            fix = FixPlan(self.code, {"class": cls.name.value}) if hoistable else None
            if not hoistable:
                message += " (a constructor reads call's inputs: create it in build)"
            faults.append(self.fault(span.line, span.col + 1, message, fix=fix, explains_error=failed))
        return faults

    def transform(self, index: SourceIndex, params: dict[str, Any]) -> str:
        for cls, call, made in _constructions(index):
            if cls.name.value != params["class"]:
                continue
            if not all(_hoistable(index, call, c) for c in made):
                raise Skip("a constructor reads call's inputs or locals")
            taken = _attributes(cls)
            replacements: dict[cst.CSTNode, cst.CSTNode] = {}
            assignments: list[cst.BaseStatement] = []
            for construction in made:
                attr = _unique(_preferred_name(index, construction), taken)
                taken.add(attr)
                replacements[construction] = cst.parse_expression(f"self.{attr}")
                assignments.append(cst.parse_statement(f"self.{attr} = {index.module.code_for_node(construction)}"))
            init = method(cls, "__init__")

            class Hoist(cst.CSTTransformer):
                def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                    return replacements.get(original, updated)  # type: ignore[return-value]

                def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> Any:
                    if init is not None and original is init:
                        body = updated.body
                        return updated.with_changes(body=body.with_changes(body=[*body.body, *assignments]))
                    if init is None and original is call:
                        created = cst.parse_statement(
                            "def __init__(self, **kwargs):\n    super().__init__(**kwargs)\n"
                            + "".join(f"    {cst.Module([]).code_for_node(a).strip()}\n" for a in assignments)
                        )
                        leading = updated.leading_lines
                        return cst.FlattenSentinel([
                            created.with_changes(leading_lines=leading),
                            updated.with_changes(leading_lines=[cst.EmptyLine(indent=False)]),
                        ])
                    return updated

            return index.module.visit(Hoist()).code
        raise Skip(f"no construction in `{params['class']}.call`")

    EXAMPLES = (
        Example(
            before=(
                "import keras\n"
                "class Head(keras.layers.Layer):\n"
                "    def __init__(self, units, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.units = units\n"
                "\n"
                "    def call(self, x):\n"
                "        h = keras.layers.Dense(self.units, activation='relu')(x)\n"
                "        proj = keras.layers.Dense(1)\n"
                "        return proj(h)\n"
            ),
            params={"class": "Head"},
            after=(
                "import keras\n"
                "class Head(keras.layers.Layer):\n"
                "    def __init__(self, units, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.units = units\n"
                "        self.dense = keras.layers.Dense(self.units, activation='relu')\n"
                "        self.proj = keras.layers.Dense(1)\n"
                "\n"
                "    def call(self, x):\n"
                "        h = self.dense(x)\n"
                "        proj = self.proj\n"
                "        return proj(h)\n"
            ),
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "class Scale(tf.keras.layers.Layer):\n"
                "    def call(self, x):\n"
                "        w = tf.Variable(1.0)\n"
                "        return x * w\n"
            ),
            params={"class": "Scale"},
            after=(
                "import tensorflow as tf\n"
                "class Scale(tf.keras.layers.Layer):\n"
                "    def __init__(self, **kwargs):\n"
                "        super().__init__(**kwargs)\n"
                "        self.w = tf.Variable(1.0)\n"
                "\n"
                "    def call(self, x):\n"
                "        w = self.w\n"
                "        return x * w\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before=(
                "import keras\n"
                "class Auto(keras.layers.Layer):\n"
                "    def call(self, x):\n"
                "        return keras.layers.Dense(x.shape[-1])(x)\n"
            ),
            params={"class": "Auto"},
            note="the width comes from the input: that belongs in build",
        ),
    )


def _constructions(index: SourceIndex) -> list[tuple[cst.ClassDef, cst.FunctionDef, list[cst.Call]]]:
    found = []
    for function in functions(index):
        if function.name.value != "call":
            continue
        cls = enclosing_class(index, function)
        if cls is None or not is_keras_subclass(index, cls):
            continue
        made = [c for c in calls_in(function) if creates_layer(index, c) or creates_variable(index, c)]
        made = [c for c in made if not any(c is not o and _inside(index, c, o) for o in made)]
        if made:
            found.append((cls, function, made))
    return found


def _inside(index: SourceIndex, node: cst.CSTNode, outer: cst.CSTNode) -> bool:
    current = index.parent(node)
    while current is not None:
        if current is outer:
            return True
        current = index.parent(current)
    return False


def _hoistable(index: SourceIndex, call: cst.FunctionDef, construction: cst.Call) -> bool:
    """The constructor reads only `self`, literals and names from outside `call`."""
    local = {p.name.value for p in call.params.params + call.params.kwonly_params} - {"self"}
    if call.params.star_arg and isinstance(call.params.star_arg, cst.Param):
        local.add(call.params.star_arg.name.value)
    if call.params.star_kwarg:
        local.add(call.params.star_kwarg.name.value)
    scope = index.scope_of(construction)
    if scope is not None:
        local |= {name for name in scope.assignments._assignments} - {"self"}  # noqa: SLF001 - libcst exposes no public iterator
    reads: set[str] = set()

    class Reads(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            reads.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)  # keyword names are not reads
            return False

    for arg in construction.args:
        arg.visit(Reads())
    return not (reads & local)


def _attributes(cls: cst.ClassDef) -> set[str]:
    taken: set[str] = set()

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name) and node.value.value == "self":
                taken.add(node.attr.value)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            taken.add(node.name.value)

    cls.visit(Finder())
    return taken


def _preferred_name(index: SourceIndex, construction: cst.Call) -> str:
    parent = index.parent(construction)
    if isinstance(parent, cst.Assign) and parent.value is construction and len(parent.targets) == 1:
        target = parent.targets[0].target
        if isinstance(target, cst.Name):
            return target.value
    kind = index.module.code_for_node(construction.func).split(".")[-1]
    if kind in ("add_weight", "Variable"):
        return "weight"
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", kind).lower().replace("_d", "d") if kind else "layer"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    suffix = 1
    while f"{name}_{suffix}" in taken:
        suffix += 1
    return f"{name}_{suffix}"
