"""GF510 tf1-graph-api.

TensorFlow 1 graph code: ``tf.placeholder``, ``tf.Session``, ``tf.train.AdamOptimizer``,
``tf.global_variables_initializer``, ``tf.random_normal``, ``reduction_indices=``, ... TensorFlow 2
keeps all of it under ``tf.compat.v1``, but runs eagerly, where placeholders and sessions have no
meaning.

Symptom: ``AttributeError: module 'tensorflow' has no attribute 'placeholder'`` (or ``Session``,
``train.GradientDescentOptimizer`` ...) at the first TF1 name; after ``tf_upgrade_v2`` (which
writes ``tf.compat.v1.placeholder``), ``RuntimeError: tf.placeholder() is not compatible with
eager execution``.

Detection: the program fails with one of those errors on a line of the user's file that reads
the module bound by ``import tensorflow as <name>`` (``tf.contrib``, which ``tf.compat.v1`` does
not have either, is GF512).

Fix: the smallest change that runs, in one step: the module is imported as
``import tensorflow.compat.v1 as tf`` (same name) and ``tf.disable_eager_execution()`` follows the
import, so every TF1 name keeps its TF1 signature and meaning (``tf.nn.dropout(x, keep_prob)``
stays a keep probability, where TF2's second argument is a drop rate) and the graph runs in
sessions as before. Code already written with ``tf.compat.v1`` names only gains the
``tf.compat.v1.disable_eager_execution()`` line. Renaming each call to a TF2 idiom is a rewrite of
the program, not a migration step; this one is verified by the program running further.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.removed_module_path import dotted
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_MISSING = re.compile(r"module 'tensorflow(?:\.[\w.]+)?' has no attribute '(?P<name>\w+)'")
_EAGER = re.compile(r"is not compatible with eager execution|is not supported when eager execution is enabled")
COMPAT = "tensorflow.compat.v1"


@dataclass(frozen=True)
class GraphMode(Plan):
    """The TensorFlow import at `statement` becomes `tensorflow.compat.v1` (unless `keep_import`)
    and eager execution is disabled right after it."""

    statement: Span
    keep_import: bool = False

    def describe(self) -> str:
        if self.keep_import:
            return "graph-mode: `tf.compat.v1.disable_eager_execution()` after the import"
        return "graph-mode: `import tensorflow.compat.v1 as tf` and `tf.disable_eager_execution()`"


def tensorflow_imports(module: cst.Module) -> list[tuple[cst.SimpleStatementLine, str, str]]:
    """Top-level `import tensorflow[.compat.v1] as name` lines: (line, module, bound name)."""
    found = []
    for line in module.body:
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or not isinstance(line.body[0], cst.Import):
            continue
        for alias in line.body[0].names:
            imported = dotted(alias.name)
            if imported in ("tensorflow", COMPAT) and (alias.asname is not None or imported == "tensorflow"):
                bound = dotted(alias.asname.name) if alias.asname is not None else imported  # type: ignore[arg-type]
                found.append((line, imported, bound))
    return found


def disables_eager(module: cst.Module) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            nonlocal found
            found = found or node.attr.value in ("disable_eager_execution", "disable_v2_behavior")

    module.visit(Finder())
    return found


class Tf1GraphApi(FaultRule):
    code = "GF510"
    name = "tf1-graph-api"
    summary = "TF1 graph code (tf.placeholder, tf.Session, tf.train.*Optimizer) on TensorFlow 2"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None:
            return []
        missing = _MISSING.search(error.message) if error.type == "AttributeError" else None
        eager = error.type in ("RuntimeError", "ValueError") and _EAGER.search(error.message) is not None
        if (missing is None or missing.group("name") == "contrib") and not eager:
            return []
        if disables_eager(index.module):
            return []
        if eager and "placeholder()" in error.message and (evidence.calls or evidence.models):
            return []  # a placeholder feeding Keras layers: GF203 gives it a keras.Input, a TF2 repair
        imports = tensorflow_imports(index.module)
        line_text = index.module.code.splitlines()[error.span.line - 1] if error.span.line <= len(index.module.code.splitlines()) else ""
        for statement, imported, bound in imports:
            if not re.search(rf"\b{re.escape(bound)}\.", line_text):
                continue
            keep = imported == COMPAT or (eager and missing is None)
            what = f"`{bound}.{missing.group('name')}`" if missing is not None else "placeholders, sessions"
            message = (
                f"TF1 graph code ({what}) does not run eagerly on TensorFlow 2: "
                + ("disable eager execution after the import" if keep else f"import `{COMPAT}` as `{bound}` and disable eager execution")
            )
            plan = GraphMode(index.span_of(statement), keep_import=keep)
            return [self.fault(error.span.line, error.span.col + 1, message, repairs=(plan,), explains_error=True)]
        return []

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, GraphMode):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        if disables_eager(index.module):
            raise Skip("the file already disables eager execution")
        target = index.node_at(plan.statement, cst.SimpleStatementLine)
        for statement, imported, bound in tensorflow_imports(index.module):
            if statement is not target:
                continue
            prefix = bound if imported == COMPAT else (f"{bound}.compat.v1" if plan.keep_import else bound)
            disable = cst.parse_statement(f"{prefix}.disable_eager_execution()")
            replacement: cst.SimpleStatementLine = statement
            if not plan.keep_import and imported != COMPAT:
                alias = cst.ImportAlias(name=cst.parse_expression(COMPAT), asname=cst.AsName(name=cst.Name(bound)))  # type: ignore[arg-type]
                replacement = statement.with_changes(body=[cst.Import(names=[alias])])
            body: list[cst.BaseStatement] = []
            for line in index.module.body:
                if line is statement:
                    body += [replacement, disable]
                else:
                    body.append(line)
            return index.module.with_changes(body=body).code
        raise Skip(f"no `import tensorflow` at line {plan.statement.line}")

    EXAMPLES = (
        Example(
            before="import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 4])\nsess = tf.Session()\n",
            plan=GraphMode(Span(1, 0, 1, 23)),
            after="import tensorflow.compat.v1 as tf\ntf.disable_eager_execution()\nx = tf.placeholder(tf.float32, [None, 4])\nsess = tf.Session()\n",
        ),
        Example(
            before="import numpy as np\nimport tensorflow\nW = tensorflow.Variable(tensorflow.random_normal([3]))\n",
            plan=GraphMode(Span(2, 0, 2, 17)),
            after="import numpy as np\nimport tensorflow.compat.v1 as tensorflow\ntensorflow.disable_eager_execution()\n"
            "W = tensorflow.Variable(tensorflow.random_normal([3]))\n",
        ),
        Example(
            before="import tensorflow as tf\nx = tf.compat.v1.placeholder(tf.float32)\n",
            plan=GraphMode(Span(1, 0, 1, 23), keep_import=True),
            after="import tensorflow as tf\ntf.compat.v1.disable_eager_execution()\nx = tf.compat.v1.placeholder(tf.float32)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nx = tf.placeholder(tf.float32)\n",
            plan=GraphMode(Span(1, 0, 1, 33)),
            note="eager execution is already disabled",
        ),
        Example(
            before="import numpy as np\nx = np.zeros(3)\n",
            plan=GraphMode(Span(1, 0, 1, 18)),
            note="no TensorFlow import",
        ),
    )
