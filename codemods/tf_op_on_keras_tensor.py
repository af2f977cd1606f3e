"""GF401 tf-op-on-keras-tensor.

A TensorFlow op (``tf.concat``, ``tf.reshape``, ``tf.reduce_mean``, ``tf.nn.*``, ``tf.image.*``,
...) called on a functional-API tensor. Keras 3's symbolic tensors are not TensorFlow tensors.

Symptom: Keras 3 raises ``ValueError: A KerasTensor cannot be used as input to a TensorFlow
function.`` at the op's call. tf-keras wraps such ops in automatic layers and runs them, so the
same program is not a fault there.

Detection: the program fails with that error, and the innermost frame in the user's file is a
call whose function resolves (through any import alias) to ``tensorflow.*``.

Fix: every TensorFlow op of that statement that has a reviewed ``keras.ops`` equivalent (the
table in ``keras_ops_table.py``, each entry checked numerically against TensorFlow by a test)
becomes that ``keras.ops`` call, with keyword names translated (``perm`` -> ``axes``,
``keep_dims`` -> ``keepdims``, ...) and ``name=`` dropped. ``keras.ops`` computes the same
values and also accepts eager tensors, so converting the whole statement is safe. An op with no
equivalent, or with an argument that does not map, is wrapped in ``keras.layers.Lambda`` with
the symbolic tensors as the layer's input: the same TensorFlow code then runs inside a layer,
where it receives real tensors.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, call_at
from codemods.keras_ops_table import OpMapping, lookup
from codemods.loss_closure import in_capturing_loss
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

MESSAGE = "A KerasTensor cannot be used as input to a TensorFlow function"


@dataclass(frozen=True)
class KerasOps(Plan):
    """The TensorFlow ops of the statement holding the failing `call` become `keras.ops` calls;
    the failing op, when it has no equivalent, runs in a `Lambda` layer on the `symbolic` names."""

    call: Span
    symbolic: tuple[str, ...]  # names bound to symbolic tensors (layer outputs and Inputs)

    def describe(self) -> str:
        return f"keras ops: the TensorFlow ops at line {self.call.line} become `keras.ops` (a `Lambda` layer where none maps)"


class TfOpOnKerasTensor(FaultRule):
    code = "GF401"
    name = "tf-op-on-keras-tensor"
    summary = "a TensorFlow op called on a Keras 3 functional-API tensor"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or MESSAGE not in error.message:
            return []
        call = index.node_at(error.span)
        if not isinstance(call, cst.Call):
            return []
        if in_capturing_loss(index, call):
            return []  # a compiled loss reading the model's tensors: GF304 captured-tensor
        qualified = qualified_name(index, call)
        if qualified is None or not qualified.startswith("tensorflow."):
            return []
        symbolic = sorted(_symbolic_names(evidence, index))
        op = "tf." + qualified.removeprefix("tensorflow.")
        mapping = lookup(qualified)
        hint = f"`keras.ops.{mapping.ops_name}`" if mapping else "a `Lambda` layer"
        plan = KerasOps(error.span, tuple(symbolic))
        line, col = error.span.line, error.span.col + 1
        text = " ".join(index.module.code_for_node(call).split())
        text = text if len(text) <= 60 else text[:57] + "..."
        message = f"`{op}` on a Keras 3 symbolic tensor in `{text}`; use {hint}"
        return [self.fault(line, col, message, repairs=(plan,))]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, KerasOps):
            raise Skip(f"not a {self.code} plan: {type(plan).__name__}")
        failing = call_at(index, plan.call)
        statement = index.statement_of(failing)
        if statement is None:
            raise Skip("the op is not inside a statement")
        prefix = keras_prefix(index) or "keras"
        mappings: dict[cst.CSTNode, OpMapping] = {}
        for call in _calls_in(statement):
            qualified = qualified_name(index, call)
            mapping = lookup(qualified) if qualified else None
            if mapping is not None and _to_ops(call, mapping, prefix) is not None:
                mappings[call] = mapping
        wrap = None
        if failing not in mappings:
            wrap = _lambda_names(failing, plan.symbolic)
            if not wrap:
                raise Skip("no symbolic tensor among the op's arguments")

        class Convert(cst.CSTTransformer):
            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
                if original in mappings:
                    converted = _to_ops(updated, mappings[original], prefix)
                    assert converted is not None
                    return converted
                if original is failing and wrap:
                    return _wrap_in_lambda(updated, wrap, prefix)
                return updated

        module = index.module.visit(Convert())
        return module.code if keras_prefix(index) else add_import(module.code, "import keras")

    EXAMPLES = (
        Example(
            before=(
                "import tensorflow as tf\n"
                "import keras\n"
                "a = keras.Input((4,))\n"
                "b = keras.layers.Dense(4)(a)\n"
                "c = tf.reduce_mean(tf.concat([a, b], axis=-1, name='join'), axis=1, keep_dims=True)\n"
            ),
            plan=KerasOps(Span(5, 19, 5, 58), symbolic=("a", "b")),
            after=(
                "import tensorflow as tf\n"
                "import keras\n"
                "a = keras.Input((4,))\n"
                "b = keras.layers.Dense(4)(a)\n"
                "c = keras.ops.mean(keras.ops.concatenate([a, b], axis=-1), axis=1, keepdims=True)\n"
            ),
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "from tensorflow.keras import layers\n"
                "img = layers.Input((32, 32, 3))\n"
                "small = tf.image.resize(img, (16, 16))\n"
            ),
            plan=KerasOps(Span(4, 8, 4, 38), symbolic=("img",)),
            after=(
                "import tensorflow as tf\n"
                "from tensorflow.keras import layers\n"
                "img = layers.Input((32, 32, 3))\n"
                "small = tf.keras.layers.Lambda(lambda img: tf.image.resize(img, (16, 16)))(img)\n"
            ),
        ),
        Example(
            before="import tensorflow as tf\nz = tf.linalg.matmul(p, q, transpose_b=True)\n",
            plan=KerasOps(Span(2, 4, 2, 44), symbolic=("p", "q")),
            after="import tensorflow as tf\nz = tf.keras.layers.Lambda(lambda t: tf.linalg.matmul(t[0], t[1], transpose_b=True))([p, q])\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="import tensorflow as tf\nz = tf.image.resize(const, (4, 4))\n",
            plan=KerasOps(Span(2, 4, 2, 34), symbolic=("img",)),
            note="no symbolic tensor among the arguments: nothing to wrap",
        ),
    )


def qualified_name(index: SourceIndex, call: cst.Call) -> str | None:
    found = index.wrapper.resolve(QualifiedNameProvider).get(call.func, set())
    names = {q.name for q in (found() if callable(found) else found)}
    for name in sorted(names):
        if name.startswith("tensorflow."):
            return name.replace("tensorflow.compat.v2.", "tensorflow.")
    return sorted(names)[0] if names else None


def keras_prefix(index: SourceIndex) -> str:
    """How this file names Keras 3: `keras` when it imports it (directly or from tensorflow),
    else through its TensorFlow alias (`tf.keras`); "" when it has neither (the caller then
    adds `import keras` and uses `keras`)."""
    tf_alias = None
    for statement in index.module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for node in statement.body:
            if isinstance(node, cst.Import):
                for alias in node.names:
                    name = index.module.code_for_node(alias.name)
                    if name == "keras" and alias.asname is None:
                        return "keras"
                    if name == "tensorflow":
                        tf_alias = alias.evaluated_alias or "tensorflow"
            elif isinstance(node, cst.ImportFrom) and node.module is not None and not isinstance(node.names, cst.ImportStar):
                if index.module.code_for_node(node.module) == "tensorflow":
                    for alias in node.names:
                        if alias.evaluated_name == "keras" and alias.asname is None:
                            return "keras"
    return f"{tf_alias}.keras" if tf_alias is not None else ""


def _calls_in(node: cst.CSTNode) -> list[cst.Call]:
    calls: list[cst.Call] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            calls.append(call)

        def visit_Lambda(self, lam: cst.Lambda) -> bool:
            return False  # code inside a Lambda already runs on real tensors

    node.visit(Finder())
    return calls


def _to_ops(call: cst.Call, mapping: OpMapping, prefix: str) -> cst.Call | None:
    """`call` rewritten to keras.ops, or None when one of its arguments does not map."""
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args) or len(positional) > mapping.max_positional:
        return None
    args: list[cst.Arg] = []
    for arg in call.args:
        if arg.keyword is None:
            args.append(arg)
            continue
        key = arg.keyword.value
        if key in mapping.dropped:
            continue
        if key not in mapping.keywords:
            return None
        args.append(arg.with_changes(keyword=cst.Name(mapping.keywords[key])))
    if args:  # no trailing comma left dangling by a dropped keyword
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    func = cst.parse_expression(f"{prefix}.ops.{mapping.ops_name}")
    return call.with_changes(func=func, args=args)


def _lambda_names(call: cst.Call, symbolic: Collection[str]) -> list[str]:
    """The symbolic tensors among the call's arguments, in order of appearance."""
    names: list[str] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value in symbolic and node.value not in names:
                names.append(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

    for arg in call.args:
        arg.value.visit(Finder())
    return names


def _wrap_in_lambda(call: cst.Call, names: list[str], prefix: str) -> cst.Call:
    """`Lambda(lambda x: <call>)(x)`, or `Lambda(lambda t: <call on t[i]>)([a, b])`."""
    inner = call
    layer_input: cst.BaseExpression
    if len(names) == 1:
        parameter, layer_input = names[0], cst.Name(names[0])
    else:
        parameter = "t"
        position = {n: i for i, n in enumerate(names)}

        class Subscripts(cst.CSTTransformer):
            def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
                return updated.with_changes(attr=original.attr)  # `.shape` is not a variable

            def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:  # type: ignore[override]
                if updated.value in position:
                    return cst.parse_expression(f"t[{position[updated.value]}]")
                return updated

        inner = call.with_changes(args=[arg.with_changes(value=arg.value.visit(Subscripts())) for arg in call.args])
        layer_input = cst.List([cst.Element(cst.Name(n)) for n in names])
    lam = cst.Lambda(params=cst.Parameters(params=[cst.Param(cst.Name(parameter))]), body=inner)
    layer = cst.Call(func=cst.parse_expression(f"{prefix}.layers.Lambda"), args=[cst.Arg(lam)])
    return cst.Call(func=layer, args=[cst.Arg(layer_input)])


def _symbolic_names(evidence: Evidence, index: SourceIndex) -> set[str]:
    """Names the program bound to symbolic tensors (layer outputs and Inputs)."""
    names: set[str] = set()
    for call in evidence.calls:
        if call.outputs and call.span is not None:
            name = index.name_bound_at(call.span)
            if name:
                names.add(name)
    for tensor in evidence.tensors.values():
        if tensor.is_input and tensor.input_span is not None:
            name = index.name_bound_at(tensor.input_span)
            if name:
                names.add(name)
    return names
