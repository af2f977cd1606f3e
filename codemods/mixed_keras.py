"""GF403 mixed-keras.

Keras 3 objects and tf-keras objects in one model. With TensorFlow 2.16+, ``import keras`` is
Keras 3 while ``tf.keras`` is tf-keras under ``TF_USE_LEGACY_KERAS=1`` (and Keras 3 otherwise);
``import tf_keras`` is always tf-keras. A layer of one calling a tensor of the other breaks.

Symptom: loud, e.g. ``AttributeError: 'tuple' object has no attribute 'rank'`` when a tf-keras
layer is called on a Keras 3 tensor, ``'KerasTensor' object has no attribute 'node'``; or
silent: a Keras 3 layer called on a tf-keras tensor is turned into anonymous TensorFlow ops, the
model reports 0 parameters, and the layer's weights are never trained.

Detection reads the construction trace: a layer of one Keras is called on a tensor made by the
other (the failing call is recorded too).

Fix: one namespace, the one the program runs under. Under ``TF_USE_LEGACY_KERAS=1`` the file's
``keras`` imports become ``tf_keras`` imports under the same names (``import tf_keras as
keras``, ``from tf_keras.layers import Dense``); under Keras 3 its ``tf_keras`` imports become
``keras`` imports under the same names. Every name the program uses stays bound, now to the
Keras the rest of the model uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex

NAMESPACE = {"keras3": "keras", "tf_keras": "tf_keras"}
LABEL = {"keras3": "Keras 3", "tf_keras": "tf-keras"}


@dataclass(frozen=True)
class ToTfKeras(Plan):
    """The program runs under tf-keras: the file's `keras` imports become `tf_keras` imports
    under the same names."""

    def describe(self) -> str:
        return "to tf-keras: the file's `keras` imports become `tf_keras` imports under the same names"


@dataclass(frozen=True)
class ToKeras3(Plan):
    """The program runs under Keras 3: the file's `tf_keras` imports become `keras` imports
    under the same names."""

    def describe(self) -> str:
        return "to Keras 3: the file's `tf_keras` imports become `keras` imports under the same names"


PLANS: dict[str, Plan] = {"tf_keras": ToTfKeras(), "keras3": ToKeras3()}


class MixedKeras(FaultRule):
    code = "GF403"
    name = "mixed-keras"
    summary = "Keras 3 and tf-keras objects in one model"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        faults: list[Fault] = []
        target = evidence.flavor
        foreign = NAMESPACE["keras3" if target == "tf_keras" else "tf_keras"]
        sites = [(c.span, c.flavor, c.inputs, f"layer (`{c.cls}`) is called on") for c in evidence.calls]
        sites += [(m.span, m.flavor, m.inputs + m.outputs, "model is built from") for m in evidence.models]
        for span, flavor, tensors, what in sites:
            if span is None or flavor not in LABEL:
                continue
            others = {t.flavor for tid in tensors if (t := evidence.tensors.get(tid)) is not None and t.flavor in LABEL}
            others.discard(flavor)
            if not others:
                continue
            message = f"a {LABEL[flavor]} {what} a {LABEL[others.pop()]} tensor; the program runs under {LABEL[target]}"
            repairs = (PLANS[target],) if target in PLANS and _imports(index, foreign) else ()
            if not repairs:
                message += f" (no `{foreign}` import in this file to change)"
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs))
            break  # one mixed file is one fault: the fix is file-wide
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, ToTfKeras):
            target = "tf_keras"
        elif isinstance(plan, ToKeras3):
            target = "keras3"
        else:
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        foreign = NAMESPACE["keras3" if target == "tf_keras" else "tf_keras"]
        wanted = NAMESPACE[target]
        changed = False

        class Imports(cst.CSTTransformer):
            def leave_Import(self, original: cst.Import, updated: cst.Import) -> cst.Import:
                nonlocal changed
                names = []
                for alias in updated.names:
                    dotted = index.module.code_for_node(alias.name)
                    root, _, rest = dotted.partition(".")
                    if root != foreign:
                        names.append(alias)
                        continue
                    if rest and alias.asname is None:
                        raise Skip(f"`import {dotted}` binds `{foreign}` itself; rewrite it by hand")
                    if ".src" in f".{rest}":
                        raise Skip(f"`{dotted}` is a private module path with no equivalent")
                    new_name = cst.parse_expression(wanted + (f".{rest}" if rest else ""))
                    asname = alias.asname or cst.AsName(name=cst.Name(foreign))
                    names.append(alias.with_changes(name=new_name, asname=asname))
                    changed = True
                return updated.with_changes(names=names)

            def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
                nonlocal changed
                if updated.module is None or updated.relative:
                    return updated
                dotted = index.module.code_for_node(updated.module)
                root, _, rest = dotted.partition(".")
                if root != foreign:
                    return updated
                if ".src" in f".{rest}":
                    raise Skip(f"`{dotted}` is a private module path with no equivalent")
                changed = True
                return updated.with_changes(module=cst.parse_expression(wanted + (f".{rest}" if rest else "")))

        module = index.module.visit(Imports())
        if not changed:
            raise Skip(f"no `{foreign}` import to change")
        return module.code

    EXAMPLES = (
        Example(
            before="import keras\nimport tensorflow as tf\nfrom keras.layers import Dense  # the head\n",
            plan=ToTfKeras(),
            after="import tf_keras as keras\nimport tensorflow as tf\nfrom tf_keras.layers import Dense  # the head\n",
        ),
        Example(
            before="import tf_keras\nimport tf_keras as tk\nfrom tf_keras import layers\n",
            plan=ToKeras3(),
            after="import keras as tf_keras\nimport keras as tk\nfrom keras import layers\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="import tensorflow as tf\nfrom tensorflow import keras\n",
            plan=ToTfKeras(),
            note="no Keras 3 import in the file: nothing to unify here",
        ),
        Example(
            before="import keras.layers\nx = keras.layers.Dense(2)\n",
            plan=ToTfKeras(),
            note="`import keras.layers` binds `keras` itself: renaming it needs more than one import",
        ),
    )


def _imports(index: SourceIndex, root: str) -> bool:
    for statement in index.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for node in statement.body:
            if isinstance(node, cst.Import) and any(
                index.module.code_for_node(a.name).split(".")[0] == root for a in node.names
            ):
                return True
            if isinstance(node, cst.ImportFrom) and node.module is not None and not node.relative:
                if index.module.code_for_node(node.module).split(".")[0] == root:
                    return True
    return False
