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
where it receives real tensors. When the op has no equivalent and the assignments after it
compute on its result with no Keras call (``tf.shape`` of a tensor, arithmetic on the sizes, the
``tf.slice`` that uses them), the whole run of assignments moves into a local function that one
``Lambda`` runs on the symbolic tensors it reads; its ``output_shape`` is found by running the
function on zeros of two sizes (a helper added once to the file), since TensorFlow's static
shapes lose the sizes that depend on values (the channels of a slice of computed extent).

A second shape: a ``Lambda`` layer given a symbolic tensor through ``arguments=``
(``Lambda(f, arguments={"w": w})(x)``). The tensor is no input of the layer, so its function
runs TensorFlow ops on a symbolic tensor in both Keras: Keras 3 cannot infer the Lambda's
output shape (or fails later, in ``fit``/``predict``), tf-keras cannot build a TypeSpec for the
KerasTensor. Detected from the recorded ``Lambda`` call whose literal ``arguments=`` dict has a
value reading a name bound to a layer output or an Input. Fix: those tensors become further
inputs of the layer and reach the function under the same keywords,
``Lambda(lambda t: f(t[0], w=t[1]))([x, w])`` (a ``lambda`` function is inlined); the other
arguments stay in ``arguments=``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, call_at
from codemods.edits import all_names as _names
from codemods.keras_ops_table import OpMapping, lookup
from codemods.loss_closure import in_capturing_loss
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

MESSAGE = "A KerasTensor cannot be used as input to a TensorFlow function"


OUTPUT_SHAPE_HELPER = """
def lambda_output_shape(function):
    \"\"\"A Lambda's output shape, found by running its function on zeros: the unknown sizes of
    the inputs take two values in turn, and the output sizes that change stay unknown.\"\"\"

    def output_shape(input_shape):
        single = all(d is None or isinstance(d, int) for d in input_shape)
        shapes = [input_shape] if single else list(input_shape)
        runs = []
        for size in (5, 7):
            zeros = [{tf}.zeros([size if d is None else d for d in shape]) for shape in shapes]
            runs.append(tuple(function(zeros[0] if single else zeros).shape))
        return tuple(a if a == b else None for a, b in zip(*runs))

    return output_shape
"""


@dataclass(frozen=True)
class KerasOps(Plan):
    """The TensorFlow ops of the statement holding the failing `call` become `keras.ops` calls;
    the failing op, when it has no equivalent, runs in a `Lambda` layer on the `symbolic` names."""

    call: Span
    symbolic: tuple[str, ...]  # names bound to symbolic tensors (layer outputs and Inputs)

    def describe(self) -> str:
        return f"keras ops: the TensorFlow ops at line {self.call.line} become `keras.ops` (a `Lambda` layer where none maps)"


@dataclass(frozen=True)
class LambdaInputs(Plan):
    """The `Lambda` layer called at `call` takes the symbolic tensors its `arguments=` dict
    passed (the `moved` keys) as further inputs, and gives them to its function by keyword."""

    call: Span
    moved: tuple[str, ...]  # keys of `arguments` whose values are symbolic tensors

    def describe(self) -> str:
        keys = ", ".join(f"`{k}`" for k in self.moved)
        return f"lambda inputs: the tensors passed as {keys} become inputs of the `Lambda` at line {self.call.line}"


class TfOpOnKerasTensor(FaultRule):
    code = "GF401"
    name = "tf-op-on-keras-tensor"
    summary = "a TensorFlow op called on a Keras 3 functional-API tensor"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        return self._tensor_arguments(evidence, index) or self._op_on_tensor(evidence, index)

    def _tensor_arguments(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        """A `Lambda` layer whose `arguments=` pass symbolic tensors: its function then runs a
        TensorFlow op on a tensor that is no input of the layer (both flavours fail)."""
        symbolic = _symbolic_names(evidence, index)
        for call in evidence.calls:
            if call.cls != "Lambda" or call.span is None:
                continue
            node = index.node_at(call.span)
            if not isinstance(node, cst.Call):
                continue
            found = _tensor_arguments(node, symbolic, index)
            if found is None or not found[1]:
                continue
            entries = dict(_arguments_entries(found[0]) or [])
            passed = ", ".join(f"`{k}={index.module.code_for_node(entries[k])}`" for k in found[1])
            message = (
                f"a `Lambda` layer is given symbolic tensors through `arguments=` ({passed}), "
                "not as inputs: its function runs TensorFlow ops on them; pass them as inputs"
            )
            plan = LambdaInputs(call.span, found[1])
            return [self.fault(call.span.line, call.span.col + 1, message, repairs=(plan,))]
        return []

    def _op_on_tensor(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
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
        if isinstance(plan, LambdaInputs):
            return _lambda_inputs(index, plan)
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
            chain = _op_chain(index, statement, plan.symbolic)
            if chain is not None:
                return _chain_to_lambda(index, chain, prefix)
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
        Example(
            before=(
                "import tensorflow as tf\nimport keras\na = keras.Input((None, 4))\nn = tf.shape(a)[1]\n"
                "b = tf.reduce_sum(a, axis=1) / tf.cast(n, a.dtype)\nc = keras.layers.Dense(2)(b)\n"
            ),
            plan=KerasOps(Span(4, 4, 4, 15), symbolic=("a", "c")),
            after=(
                "import tensorflow as tf\nimport keras\n\n\n"
                + OUTPUT_SHAPE_HELPER.format(tf="tf").lstrip("\n")
                + "\n\na = keras.Input((None, 4))\ndef compute_b(a):\n    n = tf.shape(a)[1]\n"
                "    return tf.reduce_sum(a, axis=1) / tf.cast(n, a.dtype)\n\n"
                "b = keras.layers.Lambda(compute_b, output_shape=lambda_output_shape(compute_b))(a)\n"
                "c = keras.layers.Dense(2)(b)\n"
            ),
        ),
        Example(
            before="from keras import layers\ny = layers.Lambda(scale, arguments={'w': w, 'k': 2})(x)\n",
            plan=LambdaInputs(Span(2, 4, 2, 55), moved=("w",)),
            after="from keras import layers\ny = layers.Lambda(lambda t, k: scale(t[0], w=t[1], k=k), arguments={'k': 2})([x, w])\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="from keras import layers\nlam = layers.Lambda(scale, arguments={'w': w})\ny = lam(x)\n",
            plan=LambdaInputs(Span(3, 4, 3, 10), moved=("w",)),
            note="the Lambda is constructed apart from its call: its inputs are not rewritten",
        ),
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


def _tensor_arguments(call: cst.Call, symbolic: Collection[str], index: SourceIndex) -> tuple[cst.Call, tuple[str, ...]] | None:
    """For `Lambda(f, arguments={...})(x)`: the `Lambda(...)` construction and the keys of
    `arguments` whose values read a symbolic name; None for any other shape of call."""
    layer = call.func
    if not isinstance(layer, cst.Call):
        return None
    entries = _arguments_entries(layer)
    if entries is None:
        return None
    moved = tuple(key for key, value in entries if _reads(value, symbolic))
    return layer, moved


def _reads(node: cst.CSTNode, names: Collection[str]) -> bool:
    """Whether `node` reads one of `names` (not as an attribute's name)."""
    return any(n.value in names for n in _names(node))


def _arguments_entries(layer: cst.Call) -> list[tuple[str, cst.BaseExpression]] | None:
    """The (key, value) pairs of a literal `arguments=` dict (`{...}` or `dict(...)`)."""
    arg = next((a for a in layer.args if a.keyword is not None and a.keyword.value == "arguments"), None)
    if arg is None:
        return None
    value = arg.value
    entries: list[tuple[str, cst.BaseExpression]] = []
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
                return None
            key = element.key.evaluated_value
            if not isinstance(key, str) or not key.isidentifier():
                return None
            entries.append((key, element.value))
        return entries
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict":
        for a in value.args:
            if a.keyword is None:
                return None
            entries.append((a.keyword.value, a.value))
        return entries
    return None


def _lambda_inputs(index: SourceIndex, plan: LambdaInputs) -> str:
    """`Lambda(f, arguments={"k": t, "c": 2})(x)` -> `Lambda(lambda t_, c: f(t_[0], k=t_[1], c=c),
    arguments={"c": 2})([x, t])`: the tensors become inputs, the other arguments stay."""
    outer = call_at(index, plan.call)
    layer = outer.func
    if not isinstance(layer, cst.Call):
        raise Skip("the `Lambda` layer is not constructed where it is called")
    entries = _arguments_entries(layer)
    positional = [a for a in outer.args if a.keyword is None]
    if entries is None or len(positional) != 1 or positional[0].star:
        raise Skip("the `Lambda` call's inputs or `arguments=` are not literal")
    function_arg = next((a for a in layer.args if a.keyword is None or a.keyword.value == "function"), None)
    if function_arg is None or function_arg.star:
        raise Skip("the `Lambda` has no function argument")
    moved = [(k, v) for k, v in entries if k in plan.moved]
    kept = [(k, v) for k, v in entries if k not in plan.moved]
    if not moved:
        raise Skip("no symbolic tensor among the `Lambda`'s arguments")
    code = index.module.code_for_node
    used = {n.value for n in _names(function_arg.value)} | {k for k, _ in entries}
    t = next(c for c in ("t", "tensors", "t_", "t__") if c not in used)
    given = positional[0].value
    if isinstance(given, cst.List) and all(isinstance(e, cst.Element) for e in given.elements):
        firsts = [code(e.value) for e in given.elements]
        first = "[" + ", ".join(f"{t}[{i}]" for i in range(len(firsts))) + "]"
    else:
        firsts, first = [code(given)], f"{t}[0]"
    inputs = firsts + [code(v) for _, v in moved]
    at = {k: f"{t}[{len(firsts) + i}]" for i, (k, _) in enumerate(moved)}
    params = ", ".join([t] + [k for k, _ in kept])
    body = _apply(function_arg.value, first, at, [k for k, _ in kept], code)
    new_layer_args = []
    for a in layer.args:
        if a is function_arg:
            new_layer_args.append(a.with_changes(value=cst.parse_expression(f"lambda {params}: {body}")))
        elif a.keyword is not None and a.keyword.value == "arguments":
            if kept:
                new_layer_args.append(a.with_changes(value=_without(a.value, set(plan.moved))))
        else:
            new_layer_args.append(a)
    new_layer_args[-1] = _ends_as(new_layer_args[-1], layer.args[-1])
    new_input = cst.parse_expression("[" + ", ".join(inputs) + "]")
    new_outer = outer.with_changes(
        func=layer.with_changes(args=new_layer_args),
        args=[a.with_changes(value=new_input) if a is positional[0] else a for a in outer.args],
    )
    return index.module.deep_replace(outer, new_outer).code  # type: ignore[union-attr]


def _without(arguments: cst.BaseExpression, keys: set[str]) -> cst.BaseExpression:
    """The literal `arguments=` dict without the entries of `keys`."""
    if isinstance(arguments, cst.Dict):
        elements = [
            e for e in arguments.elements if not (isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString) and e.key.evaluated_value in keys)
        ]
        elements[-1] = elements[-1].with_changes(comma=arguments.elements[-1].comma)
        return arguments.with_changes(elements=elements)
    assert isinstance(arguments, cst.Call)
    args = [a for a in arguments.args if a.keyword is None or a.keyword.value not in keys]
    args[-1] = _ends_as(args[-1], arguments.args[-1])
    return arguments.with_changes(args=args)


def _ends_as(arg: cst.Arg, last: cst.Arg) -> cst.Arg:
    """`arg`, now the last argument, with the trailing comma and spacing the last one had."""
    return arg.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)


def _apply(
    function: cst.BaseExpression, first: str, at: dict[str, str], kept: list[str], code: Callable[[cst.CSTNode], str]
) -> str:
    """The call of `function` on the layer input `first` with the moved keys read from `at`: a
    `lambda x, k: body` is inlined (its parameters replaced), anything else is called."""
    if isinstance(function, cst.Lambda) and _inlinable(function, set(at) | set(kept)):
        params = [p.name.value for p in function.params.params]
        if params and set(params[1:]) <= set(at) | set(kept):
            values = {params[0]: first, **{k: v for k, v in at.items() if k in params}}

            class Substitute(cst.CSTTransformer):
                def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
                    return updated.with_changes(attr=original.attr)

                def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:  # type: ignore[override]
                    return cst.parse_expression(values[updated.value]) if updated.value in values else updated

            body = function.body.visit(Substitute())
            assert isinstance(body, cst.BaseExpression)
            return code(body)
    callee = code(function)
    if not isinstance(function, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)):
        callee = f"({callee})"
    args = [first] + [f"{k}={v}" for k, v in at.items()] + [f"{k}={k}" for k in kept]
    return f"{callee}({', '.join(args)})"


def _inlinable(function: cst.Lambda, keys: set[str]) -> bool:
    """A lambda with plain parameters whose body binds no name of its own (no nested lambda or
    comprehension), so replacing its parameters by expressions keeps its meaning."""
    p = function.params
    if p.posonly_params or p.kwonly_params or p.star_kwarg or not isinstance(p.star_arg, cst.MaybeSentinel):
        return False
    if any(param.default is not None for param in p.params):
        return False
    nested: list[cst.CSTNode] = []

    class Finder(cst.CSTVisitor):
        def visit_Lambda(self, node: cst.Lambda) -> None:
            nested.append(node)

        def visit_CompFor(self, node: cst.CompFor) -> None:
            nested.append(node)

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            nested.append(node)

    function.body.visit(Finder())
    return not nested


@dataclass(frozen=True)
class _Chain:
    """Consecutive assignments of one block computing `output` from the symbolic `inputs` with
    TensorFlow ops (no Keras layer among them)."""

    block: tuple[cst.BaseStatement, ...]
    start: int
    end: int  # exclusive
    inputs: tuple[str, ...]
    output: str




def _assigned(statement: cst.CSTNode) -> tuple[str, cst.BaseExpression] | None:
    """`name = value` as a statement of its own, else None."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    node = statement.body[0]
    if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
        return node.targets[0].target.value, node.value
    return None


def _op_chain(index: SourceIndex, statement: cst.CSTNode, symbolic: Collection[str]) -> _Chain | None:
    """The failing assignment and the assignments after it that compute on its result with no
    Keras layer (a shape read by `tf.shape`, arithmetic on it, the op that uses it), when more
    than one statement is involved and one name of them is read afterwards."""
    block = index.parent(statement)
    if not isinstance(block, (cst.IndentedBlock, cst.Module)) or _assigned(statement) is None:
        return None
    body = tuple(block.body)
    start = body.index(statement)  # type: ignore[arg-type]
    defined: list[str] = []
    end = start
    for candidate in body[start:]:
        assigned = _assigned(candidate)
        if assigned is None or _keras_call_in(index, assigned[1]):
            break
        tf_on_symbolic = any(
            (q := qualified_name(index, c)) is not None and q.startswith("tensorflow.") and _reads(c, symbolic)
            for c in _calls_in(assigned[1])
        )
        if candidate is not statement and not (_reads(assigned[1], defined) or tf_on_symbolic):
            break
        defined.append(assigned[0])
        end += 1
    if end - start < 2:
        return None
    later = {n.value for rest in body[end:] for n in _names(rest)}
    outputs = [name for name in dict.fromkeys(defined) if name in later]
    if len(outputs) != 1 or outputs[0] != defined[-1] or outputs[0] in symbolic:
        return None
    inputs: list[str] = []
    bound: set[str] = set()
    for candidate in body[start:end]:
        assigned = _assigned(candidate)
        assert assigned is not None
        for name in _names(assigned[1]):
            if name.value in symbolic and name.value not in bound and name.value not in inputs:
                inputs.append(name.value)
        bound.add(assigned[0])
    if not inputs:
        return None
    return _Chain(body, start, end, tuple(inputs), outputs[0])


PURE = ("tensorflow.", "builtins.", "numpy.", "math.")  # calls a chain may make inside a Lambda


def _keras_call_in(index: SourceIndex, node: cst.CSTNode) -> bool:
    """Whether `node` calls Keras (a layer, a model, `keras.ops`) or a function of the program
    (it may build layers): such a statement does not move into a `Lambda`."""
    for call in _calls_in(node):
        q = qualified_name(index, call) or ""
        if "keras" in q.split(".") or isinstance(call.func, cst.Call):  # Layer(...)(x)
            return True
        if q and not q.startswith(PURE):  # a method of a value has no qualified name: allowed
            return True
    return False


def _chain_to_lambda(index: SourceIndex, chain: _Chain, prefix: str) -> str:
    """The chain becomes a local function run by a `Lambda` layer on its symbolic inputs, with
    the output shape found by running the function (TensorFlow's static shapes lose sizes that
    depend on values, as a slice of `tf.shape`-computed extent does)."""
    code = index.module.code_for_node
    function = f"compute_{chain.output}"
    taken = {n.value for n in _names(index.module)}
    while function in taken:
        function += "_"
    names = list(chain.inputs)
    if len(names) == 1:
        parameter, unpack, given = names[0], "", names[0]
    else:
        parameter = "tensors" if "tensors" not in taken else "tensors_"
        unpack = f"    {', '.join(names)} = {parameter}\n"
        given = "[" + ", ".join(names) + "]"
    statements = list(chain.block[chain.start : chain.end])
    first = statements[0]
    assert isinstance(first, cst.SimpleStatementLine)
    statements[0] = first.with_changes(leading_lines=())  # its comments stay above the function
    lines = [code(s) for s in statements]
    last = _assigned(chain.block[chain.end - 1])
    assert last is not None
    body = "".join(_indent(text) for text in lines[:-1]) + f"    return {code(last[1])}\n"
    definition = cst.parse_statement(f"def {function}({parameter}):\n{unpack}{body}")
    helper = "lambda_output_shape"
    call = cst.parse_statement(f"{chain.output} = {prefix}.layers.Lambda({function}, output_shape={helper}({function}))({given})\n")
    definition = definition.with_changes(leading_lines=first.leading_lines)
    call = call.with_changes(leading_lines=[cst.EmptyLine(indent=False)])  # type: ignore[union-attr]
    new_block = [*chain.block[: chain.start], definition, call, *chain.block[chain.end :]]
    parent = index.parent(first)
    assert parent is not None
    module = index.module.deep_replace(parent, parent.with_changes(body=new_block))  # type: ignore[attr-defined]
    assert isinstance(module, cst.Module)
    text = module.code
    if helper not in taken:
        tf_alias = _tf_alias(index)
        text = _add_definition(text, OUTPUT_SHAPE_HELPER.format(tf=tf_alias))
    return text


def _indent(text: str) -> str:
    return "".join("    " + line if line.strip() else line for line in text.splitlines(keepends=True))


def _tf_alias(index: SourceIndex) -> str:
    for statement in index.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for node in statement.body:
                if isinstance(node, cst.Import):
                    for alias in node.names:
                        if index.module.code_for_node(alias.name) == "tensorflow":
                            return alias.evaluated_alias or "tensorflow"
    raise Skip("no `import tensorflow` in the file to name the zeros the output shape is found with")


def _add_definition(code: str, definition: str) -> str:
    """`definition` after the module's imports (and docstring)."""
    module = cst.parse_module(code)
    position = 0
    for i, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(n, (cst.Import, cst.ImportFrom)) or (i == 0 and isinstance(n, cst.Expr)) for n in statement.body
        ):
            position = i + 1
    new = cst.parse_module(definition).body[0]
    new = new.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])  # type: ignore[union-attr]
    body = list(module.body)
    after = body[position] if position < len(body) else None
    if after is not None:
        body[position] = after.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])  # type: ignore[union-attr]
    body.insert(position, new)
    return module.with_changes(body=body).code
