"""GF512 tf-contrib.

``tf.contrib``, TensorFlow 1's incubator, which TensorFlow 2 removed (``tf.compat.v1`` does not
have it either). Some of its parts have an exact TensorFlow 2 equivalent; the rest has none in
TensorFlow itself (it moved to TF Addons, since retired, or was dropped).

Symptom: ``AttributeError: module 'tensorflow' has no attribute 'contrib'`` (also under
``import tensorflow.compat.v1 as tf``).

Detection: the program fails with that error on a line of the user's file that reads
``<tf>.contrib.<part>``.

Fix: each use of a part with an exact equivalent is renamed to it, in one step:
``layers.xavier_initializer()`` and ``layers.xavier_initializer_conv2d()`` are
``glorot_uniform_initializer()`` under ``tf.compat.v1`` (``tf.`` when the module is
``tensorflow.compat.v1``): both draw from U(-sqrt(6 / (fan_in + fan_out)), +sqrt(...)). Their
normal variants are not equal (contrib's truncated normal has stddev sqrt(1.3 / n), TF's
sqrt(1 / n) / 0.8796), so ``uniform=False`` and ``variance_scaling_initializer`` are reported,
like the other parts (``contrib.rnn`` cells and ``contrib.layers`` layers need Keras 2; ``l2_regularizer`` halves the
sum of squares, which no Keras regularizer does) are reported with no rewrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.removed_module_path import dotted
from codemods.tf1_graph_api import COMPAT, tensorflow_imports
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex

_MISSING = re.compile(r"module 'tensorflow(?:\.[\w.]+)?' has no attribute 'contrib'")
# contrib part -> (TF1 name under tf.compat.v1, keyword arguments it needs to match the defaults)
EQUIVALENT = {
    "layers.xavier_initializer": ("glorot_uniform_initializer", ""),
    "layers.xavier_initializer_conv2d": ("glorot_uniform_initializer", ""),
}
ALLOWED = {"seed", "dtype", "uniform"}


@dataclass(frozen=True)
class ContribEquivalents(Plan):
    """Every `<tf>.contrib.<part>(...)` call with an exact equivalent is renamed to it."""

    module: str  # the name bound to tensorflow

    def describe(self) -> str:
        return "contrib-equivalents: tf.contrib parts renamed to their TF2 equivalents"


def contrib_part(call: cst.Call, bound: str) -> str | None:
    name = dotted(call.func)
    prefix = f"{bound}.contrib."
    return name[len(prefix):] if name.startswith(prefix) else None


def replacement(call: cst.Call, part: str, prefix: str) -> cst.Call | None:
    """The equivalent call, or None when `part` (with these arguments) has none."""
    if part not in EQUIVALENT or call.args and any(a.keyword is None or a.keyword.value not in ALLOWED for a in call.args):
        return None
    name, defaults = EQUIVALENT[part]
    args = [a for a in call.args if a.keyword is not None and a.keyword.value != "uniform"]
    uniform = next((a.value for a in call.args if a.keyword is not None and a.keyword.value == "uniform"), None)
    if uniform is not None:
        if not isinstance(uniform, cst.Name) or uniform.value != "True":
            return None
    new = cst.parse_expression(f"{prefix}.{name}({defaults})")
    assert isinstance(new, cst.Call)
    combined = [*new.args, *args]
    return new.with_changes(args=[a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in combined])


def contrib_calls(index: SourceIndex, bound: str, line: int) -> list[tuple[cst.Call, str]]:
    """The `<bound>.contrib.<part>(...)` calls starting on `line`, with their parts."""
    found: list[tuple[cst.Call, str]] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            part = contrib_part(node, bound)
            if part is not None and index.range(node).start.line == line:
                found.append((node, part))

    index.module.visit(Finder())
    return found


class TfContrib(FaultRule):
    code = "GF512"
    name = "tf-contrib"
    summary = "tf.contrib, removed in TensorFlow 2: exact equivalents where they exist"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type != "AttributeError" or not _MISSING.search(error.message):
            return []
        for _, imported, bound in tensorflow_imports(index.module):
            prefix = bound if imported == COMPAT else f"{bound}.compat.v1"
            parts = [(part, replacement(call, part, prefix) is not None) for call, part in contrib_calls(index, bound, error.span.line)]
            if not parts:
                continue
            part, known = parts[0]
            line, col = error.span.line, error.span.col + 1
            if not known:
                return [self.fault(line, col, f"`{bound}.contrib.{part}` has no exact TensorFlow 2 equivalent: port it by hand")]
            name = EQUIVALENT[part][0]
            message = f"TensorFlow 2 has no `tf.contrib`: `{bound}.contrib.{part}` is `{prefix}.{name}`"
            return [self.fault(line, col, message, repairs=(ContribEquivalents(bound),), explains_error=True)]
        return []

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, ContribEquivalents):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        imports = [(imported, bound) for _, imported, bound in tensorflow_imports(index.module) if bound == plan.module]
        if not imports:
            raise Skip(f"no `import tensorflow as {plan.module}`")
        prefix = plan.module if imports[0][0] == COMPAT else f"{plan.module}.compat.v1"
        changed = False

        class Rename(cst.CSTTransformer):
            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                nonlocal changed
                part = contrib_part(original, plan.module)  # type: ignore[attr-defined]
                new = replacement(updated, part, prefix) if part is not None else None
                if new is None:
                    return updated
                changed = True
                return new

        code = index.module.visit(Rename()).code
        if not changed:
            raise Skip("no tf.contrib call with an exact equivalent")
        return code

    EXAMPLES = (
        Example(
            before="import tensorflow as tf\nw = tf.get_variable('w', [3, 4], initializer=tf.contrib.layers.xavier_initializer())\n",
            plan=ContribEquivalents("tf"),
            after="import tensorflow as tf\nw = tf.get_variable('w', [3, 4], initializer=tf.compat.v1.glorot_uniform_initializer())\n",
        ),
        Example(
            before="import tensorflow.compat.v1 as tf\ninit = tf.contrib.layers.xavier_initializer(uniform=True, seed=1)\n",
            plan=ContribEquivalents("tf"),
            after="import tensorflow.compat.v1 as tf\ninit = tf.glorot_uniform_initializer(seed=1)\n",
        ),
        Example(
            before="import tensorflow as tf\nk = tf.contrib.layers.xavier_initializer_conv2d(dtype=tf.float32)\n",
            plan=ContribEquivalents("tf"),
            after="import tensorflow as tf\nk = tf.compat.v1.glorot_uniform_initializer(dtype=tf.float32)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="import tensorflow as tf\ncell = tf.contrib.rnn.BasicLSTMCell(64)\n",
            plan=ContribEquivalents("tf"),
            note="no TF2 equivalent that runs with Keras 3",
        ),
        Example(
            before="import tensorflow as tf\ninit = tf.contrib.layers.xavier_initializer(uniform=False)\n",
            plan=ContribEquivalents("tf"),
            note="contrib's truncated normal differs from TF's glorot_normal",
        ),
        Example(
            before="import tensorflow as tf\nreg = tf.contrib.layers.l2_regularizer(0.1)\n",
            plan=ContribEquivalents("tf"),
            note="l2_regularizer halves the sum of squares",
        ),
    )
