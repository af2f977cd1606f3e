"""GF509 contrib-instance-normalization.

``keras_contrib``'s ``InstanceNormalization``, the normalization of CycleGAN / pix2pix style
scripts: ``keras_contrib`` was never ported past Keras 2 and does not install with Keras 3.

Symptom: ``ModuleNotFoundError: No module named 'keras_contrib'`` at the import.

Detection: the program fails with that error at an import of ``InstanceNormalization`` from
``keras_contrib`` (``keras_contrib.layers``, ``keras_contrib.layers.normalization`` and its
``instancenormalization`` module) in the user's file.

Fix: the import becomes a small local ``InstanceNormalization`` layer with keras_contrib's
arguments (``axis=None``, ``epsilon=1e-3``, ``center``, ``scale``, the initializers) and its
arithmetic: ``(x - mean) / (std + epsilon)`` over every axis but the batch and ``axis``, then
``gamma`` and ``beta`` with one entry per ``axis`` (a single scalar when ``axis`` is None), so
the weights keep their shapes. The file's other Keras 2 imports (GF501) take their public names
with it: CycleGAN-style scripts import ``keras.layers.convolutional`` right after, and the local
layer moves every line below the imports. Keras 3's ``GroupNormalization(groups=-1)`` is not numerically
equal, so it is not used: it divides by ``sqrt(variance + epsilon)`` (keras_contrib adds epsilon
to the standard deviation) and always keeps channels apart, where keras_contrib's default
``axis=None`` normalizes each sample over all its channels together
(``tests/test_legacy_tree.py`` measures both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.removed_module_path import after_imports, dotted, public_imports
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_NO_MODULE = re.compile(r"No module named 'keras_contrib[\w.]*'")
LAYER = "InstanceNormalization"
LOCAL_LAYER = '''class InstanceNormalization(keras.layers.Layer):
    """keras_contrib's InstanceNormalization, which Keras 3 lacks: (x - mean) / (std + epsilon)
    over every axis but the batch and `axis`, then gamma and beta (one per `axis` entry, one
    scalar when axis is None)."""

    def __init__(self, axis=None, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = keras.initializers.get(beta_initializer)
        self.gamma_initializer = keras.initializers.get(gamma_initializer)

    def build(self, input_shape):
        shape = (1,) if self.axis is None else (input_shape[self.axis],)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer)

    def call(self, inputs):
        ndim = len(inputs.shape)
        axes = [i for i in range(1, ndim) if self.axis is None or i != self.axis % ndim]
        mean = keras.ops.mean(inputs, axis=axes, keepdims=True)
        stddev = keras.ops.std(inputs, axis=axes, keepdims=True) + self.epsilon
        normed = (inputs - mean) / stddev
        broadcast = [1] * ndim
        if self.axis is not None:
            broadcast[self.axis] = inputs.shape[self.axis]
        if self.scale:
            normed = normed * keras.ops.reshape(self.gamma, broadcast)
        if self.center:
            normed = normed + keras.ops.reshape(self.beta, broadcast)
        return normed

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": keras.initializers.serialize(self.beta_initializer),
                "gamma_initializer": keras.initializers.serialize(self.gamma_initializer)}
'''


@dataclass(frozen=True)
class LocalInstanceNormalization(Plan):
    """The keras_contrib import at `statement` becomes a local InstanceNormalization layer."""

    statement: Span

    def describe(self) -> str:
        return "local-layer: keras_contrib's InstanceNormalization as a local Keras 3 layer"


def contrib_import(node: cst.CSTNode | None) -> bool:
    """`from keras_contrib... import InstanceNormalization` (that name only, not renamed)."""
    if not isinstance(node, cst.SimpleStatementLine) or len(node.body) != 1 or not isinstance(node.body[0], cst.ImportFrom):
        return False
    statement = node.body[0]
    if statement.relative or isinstance(statement.names, cst.ImportStar) or not dotted(statement.module).startswith("keras_contrib"):
        return False
    return all(dotted(a.name) == LAYER and a.asname is None for a in statement.names)


def binds_keras(module: cst.Module) -> bool:
    return any(
        isinstance(s, cst.Import) and any(dotted(a.name) == "keras" and a.asname is None for a in s.names)
        for line in module.body
        if isinstance(line, cst.SimpleStatementLine)
        for s in line.body
    )


class ContribInstanceNormalization(FaultRule):
    code = "GF509"
    name = "contrib-instance-normalization"
    summary = "keras_contrib InstanceNormalization (no Keras 3 package): the same layer, local"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type not in ("ModuleNotFoundError", "ImportError"):
            return []
        if not _NO_MODULE.search(error.message):
            return []
        for line in index.module.body:
            if contrib_import(line) and index.range(line).start.line == error.span.line:
                message = "keras_contrib does not exist for Keras 3: define its InstanceNormalization locally (GroupNormalization is not equal)"
                plan = LocalInstanceNormalization(index.span_of(line))
                return [self.fault(error.span.line, error.span.col + 1, message, repairs=(plan,), explains_error=True)]
        return []

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, LocalInstanceNormalization):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        target = index.node_at(plan.statement, cst.SimpleStatementLine)
        if not contrib_import(target):
            raise Skip(f"no keras_contrib InstanceNormalization import at line {plan.statement.line}")
        if any(isinstance(s, cst.ClassDef) and s.name.value == LAYER for s in index.module.body):
            raise Skip(f"the file already defines {LAYER}")
        # the import's line becomes `import keras` when the layer needs it, so the lines after
        # it keep their numbers (the next error of a legacy file is usually on the next import)
        keep = not binds_keras(index.module)
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []  # the comments above a dropped import stay in the file
        for line in index.module.body:
            if line is target:
                if keep:
                    body.append(cst.parse_statement("import keras").with_changes(leading_lines=target.leading_lines))  # type: ignore[union-attr]
                else:
                    carried = [empty for empty in target.leading_lines if empty.comment is not None]  # type: ignore[union-attr]
                continue
            if carried:
                line = line.with_changes(leading_lines=[*carried, *line.leading_lines])
                carried = []
            body.append(line)
        return after_imports(public_imports(index.module.with_changes(body=body).code), LOCAL_LAYER)

    EXAMPLES = (
        Example(
            before="from keras_contrib.layers.normalization.instancenormalization import InstanceNormalization\n"
            "from keras.layers import Input, Conv2D\nimport keras\n",
            plan=LocalInstanceNormalization(Span(1, 0, 1, 90)),
            after="from keras.layers import Input, Conv2D\nimport keras\n\n\n" + LOCAL_LAYER,
        ),
        Example(
            before="from keras.layers import Conv2D\nfrom keras_contrib.layers import InstanceNormalization\n\n\ndef block(x):\n"
            "    return InstanceNormalization(axis=-1)(Conv2D(8, 3)(x))\n",
            plan=LocalInstanceNormalization(Span(2, 0, 2, 55)),
            after="from keras.layers import Conv2D\nimport keras\n\n\n" + LOCAL_LAYER + "\n\ndef block(x):\n"
            "    return InstanceNormalization(axis=-1)(Conv2D(8, 3)(x))\n",
        ),
        Example(
            before="import keras\nfrom keras_contrib.layers.normalization import InstanceNormalization\nnorm = InstanceNormalization()\n",
            plan=LocalInstanceNormalization(Span(2, 0, 2, 68)),
            after="import keras\n\n\n" + LOCAL_LAYER + "\n\nnorm = InstanceNormalization()\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="from keras_contrib.layers import CRF\n",
            plan=LocalInstanceNormalization(Span(1, 0, 1, 36)),
            note="another keras_contrib layer: reported, not replaced",
        ),
    )
