"""GF104 unbuilt-model.

``.input`` / ``.output`` / ``.inputs`` / ``.outputs`` of a ``Sequential`` that was never given an
input: calling it on data (``fit``, ``predict``) builds its weights but, in both flavours, does
not give it a symbolic input, so a feature extractor built from ``model.input`` fails.

Symptom: Keras 3 ``AttributeError: The layer sequential has never been called and thus has no
defined input.``; tf-keras ``AttributeError: 'Sequential' object has no attribute
'_nested_inputs'`` or ``RuntimeError: ... has never been called ...``.

Detection: the program fails with one of these errors on an attribute of a name bound to a
``Sequential`` the probe saw constructed. The input shape comes from the first call the probe
saw (a ``fit`` or ``predict`` before the failing line) or from a literal ``model.build(shape)``;
when both are known and differ, each is a candidate (the observed call first) and the engine
keeps the one the program runs with.

Fix: ``keras.Input(shape=...)`` becomes the first entry of the ``Sequential`` (spelled through
the same Keras namespace the file uses). The layers and their order are unchanged; the model
just learns its input shape at construction, which is exactly the shape it was later called
with, so training and prediction behave as before and ``model.input`` now exists. With no
known shape (or a subclassed model) the fault is reported and nothing is edited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, call_at, rewrite
from graphfix.ftypes import Evidence, Fault, Plan, SequentialBuild, Span
from graphfix.source import SourceIndex

_MESSAGES = (
    re.compile(r"The layer (?P<name>\S+) has never been called and thus has no defined (input|output)"),
    re.compile(r"'Sequential' object has no attribute '_nested_(inputs|outputs)'"),
    re.compile(r"has never been called and thus has no defined"),
    re.compile(r"Layer (?P<name>\S+) has no inbound nodes"),
    re.compile(r"Sequential model '(?P<name>[^']+)' has no defined (input|output) shape yet"),
    re.compile(r"This model has not yet been built"),
)
_ATTRS = {"input", "output", "inputs", "outputs", "input_shape", "output_shape", "summary", "count_params"}
_FEEDS = ("fit", "predict", "evaluate", "train_on_batch", "test_on_batch", "predict_on_batch")


@dataclass(frozen=True)
class PrependInput(Plan):
    """`Input(shape=shape)` becomes the first entry of the Sequential built at `sequential`; in
    the scope of the failing `access`, `receiver.input`/`.output` become `.inputs[0]`/`.outputs[0]`."""

    sequential: Span
    shape: tuple[int | None, ...]  # without the batch dimension
    access: Span | None = None  # the failing `.input`/`.output` attribute
    receiver: str | None = None  # the Sequential's variable (default: the name the call is bound to)

    def describe(self) -> str:
        return f"prepend input: the Sequential at line {self.sequential.line} starts with an Input of shape {_shape_code(self.shape)}"


@dataclass(frozen=True)
class PluralAccessors(Plan):
    """The Sequential already has an Input: only `receiver.input`/`.output` in the scope of the
    failing `access` become `.inputs[0]`/`.outputs[0]`."""

    sequential: Span
    access: Span | None = None
    receiver: str | None = None

    def describe(self) -> str:
        who = f"`{self.receiver}`" if self.receiver else f"the Sequential at line {self.sequential.line}"
        return f"plural accessors: `.input`/`.output` of {who} become `.inputs[0]`/`.outputs[0]`"


class UnbuiltModel(FaultRule):
    code = "GF104"
    name = "unbuilt-model"
    summary = ".input/.output of a Sequential that was never given an input"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None or error.type not in ("AttributeError", "RuntimeError", "ValueError"):
            return []
        match = next((m for m in (p.search(error.message) for p in _MESSAGES) if m), None)
        if match is None:
            return []
        receiver = _receiver_at(index, error)
        layer_name = match.groupdict().get("name")
        sequential = _find_sequential(evidence.sequentials, index, receiver, layer_name)
        line, col = error.span.line, error.span.col + 1
        what = f"`{receiver}`" if receiver else "the model"
        if sequential is None or sequential.span is None:
            return [self.fault(line, col, f"{what} was never called on a symbolic input, so it has no input/output tensors; no Sequential to give an Input")]
        shapes: list[tuple[tuple[int | None, ...], str]] = []  # (shape, where it comes from), preferred first
        call_shape = _first_call_shape(evidence, sequential)
        if call_shape is not None:
            shapes.append((call_shape, "it was first called with"))
        receivers = {receiver, index.name_bound_at(sequential.span)} - {None}
        build_shape = _static_build_shape(index, receivers, anywhere=call_shape is None)
        if build_shape is not None and build_shape != call_shape:
            shapes.append((build_shape, "`build` gives it"))
        if not shapes:
            shapes.extend((fed, "the data it is later fed has") for fed in _fed_shapes(index, {r for r in receivers if r}, dict(error.data)))
        access = index.node_at(error.span, cst.Attribute)
        access_span = error.span if isinstance(access, cst.Attribute) else None
        if _starts_with_input(index, sequential):
            plan = PluralAccessors(sequential.span, access_span, receiver)
            return [self.fault(line, col, f"{what} has an Input but Keras 3 gives a Sequential no `.input`/`.output`: use `.inputs[0]`/`.outputs[0]`", repairs=(plan,))]
        if not shapes:
            return [self.fault(line, col, f"{what} has no input yet and its input shape is unknown: add `keras.Input(shape=...)` as its first layer")]
        shape, origin = shapes[0]
        repairs = tuple(PrependInput(sequential.span, s[1:], access_span, receiver) for s, _ in shapes)
        return [self.fault(line, col, f"{what} was never given an input; {origin} shape {_shape_code(shape)}: start it with an Input of that shape", repairs=repairs)]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, (PrependInput, PluralAccessors)):
            raise Skip(f"not a {self.code} plan: {type(plan).__name__}")
        call = call_at(index, plan.sequential)
        receiver = plan.receiver or index.bound_name(call)
        replacements = _accessor_rewrites(index, receiver, plan.access)
        if isinstance(plan, PluralAccessors):
            if not replacements:
                raise Skip("nothing to rewrite: no `.input`/`.output` access at the failing line")
            return rewrite(index, replacements)
        input_expr, needed_import = _input_reference(index, call)
        new_input = cst.parse_expression(f"{input_expr}(shape={_shape_code(plan.shape)})")
        layers_arg = next((a for a in call.args if a.keyword is None or a.keyword.value == "layers"), None)
        if layers_arg is None:
            new_call = call.with_changes(args=[cst.Arg(cst.List([cst.Element(new_input)])), *call.args])
            replacements[call] = new_call
        elif isinstance(layers_arg.value, cst.List):
            elements = list(layers_arg.value.elements)
            first = elements[0] if elements else None
            if first is not None and _is_input(first.value):
                raise Skip("the Sequential already starts with an Input")
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if first is not None and isinstance(first.comma, cst.Comma):
                spacing = first.comma.whitespace_after
                if isinstance(spacing, cst.ParenthesizedWhitespace):  # one entry per line: no comment
                    spacing = spacing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
                comma = first.comma.with_changes(whitespace_after=spacing)
            new_list = layers_arg.value.with_changes(elements=[cst.Element(new_input, comma=comma), *elements])
            replacements[layers_arg.value] = new_list
        else:
            raise Skip("the Sequential's layers are not a literal list")
        source = rewrite(index, replacements)
        if needed_import is not None:
            source = add_import(source, f"from {needed_import[0]} import {needed_import[1]}")
        return source

    EXAMPLES = (
        Example(
            before=(
                "import keras\n"
                "net = keras.Sequential([keras.layers.Dense(8)])\n"
                "f = keras.Model(net.input, [net.layers[0].output, net.output])\n"
            ),
            plan=PrependInput(Span(2, 6, 2, 47), shape=(3, 4), access=Span(3, 16, 3, 25)),
            after=(
                "import keras\n"
                "net = keras.Sequential([keras.Input(shape=(3, 4)), keras.layers.Dense(8)])\n"
                "f = keras.Model(net.inputs[0], [net.layers[0].output, net.outputs[0]])\n"
            ),
        ),
        Example(
            before="import keras\nnet = keras.Sequential([keras.layers.Dense(8), keras.layers.Dense(1)])\n",
            plan=PrependInput(Span(2, 6, 2, 71), shape=(5,)),
            after="import keras\nnet = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(8), keras.layers.Dense(1)])\n",
        ),
        Example(
            before=(
                "from tensorflow.keras.models import Sequential\n"
                "from tensorflow.keras.layers import Dense\n"
                "m = Sequential([\n"
                "    Dense(4),  # hidden\n"
                "    Dense(1),\n"
                "])\n"
            ),
            plan=PrependInput(Span(3, 4, 6, 2), shape=(28, 28)),
            after=(
                "from tensorflow.keras.models import Sequential\n"
                "from tensorflow.keras.layers import Dense\n"
                "from tensorflow.keras import Input\n"
                "m = Sequential([\n"
                "    Input(shape=(28, 28)),\n"
                "    Dense(4),  # hidden\n"
                "    Dense(1),\n"
                "])\n"
            ),
        ),
        Example(
            before="import tensorflow as tf\nm = tf.keras.models.Sequential()\nm.add(tf.keras.layers.Dense(3))\n",
            plan=PrependInput(Span(2, 4, 2, 32), shape=(7,)),
            after="import tensorflow as tf\nm = tf.keras.models.Sequential([tf.keras.Input(shape=(7,))])\nm.add(tf.keras.layers.Dense(3))\n",
        ),
        Example(
            before=(
                "import keras\n"
                "net = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])\n"
                "f = keras.Model(net.input, net.output)\n"
            ),
            plan=PluralAccessors(Span(2, 6, 2, 72), access=Span(3, 16, 3, 25)),
            after=(
                "import keras\n"
                "net = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])\n"
                "f = keras.Model(net.inputs[0], net.outputs[0])\n"
            ),
            note="the Sequential has its Input already: only the accessors change",
        ),
    )
    UNCHANGED = (
        Example(
            before="import keras\nnet = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])\n",
            plan=PrependInput(Span(2, 6, 2, 72), shape=(5,)),
            note="already starts with an Input",
        ),
        Example(
            before="import keras\nnet = keras.Sequential(make_layers())\n",
            plan=PrependInput(Span(2, 6, 2, 37), shape=(5,)),
            note="layers built elsewhere: the list is not in this call",
        ),
    )


def _shape_code(shape: tuple[int | None, ...]) -> str:
    """A shape as a Python tuple literal: `(None, 5)`, `(5,)`."""
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _starts_with_input(index: SourceIndex, sequential: SequentialBuild) -> bool:
    node = index.node_at(sequential.span) if sequential.span is not None else None
    if not isinstance(node, cst.Call) or not node.args or not isinstance(node.args[0].value, cst.List):
        return False
    elements = node.args[0].value.elements
    if not elements:
        return False
    first = elements[0].value
    if isinstance(first, cst.Call) and any(a.keyword is not None and a.keyword.value in ("input_shape", "input_dim") for a in first.args):
        return True  # the Sequential is built with an input already; only accessors need work
    return _is_input(first)


def _accessor_rewrites(index: SourceIndex, name: str | None, access: Span | None) -> dict[cst.CSTNode, cst.CSTNode]:
    """`m.input` -> `m.inputs[0]`, `m.output` -> `m.outputs[0]` for the Sequential's name, in the
    scope of the failing access. Keras 3 defines `.input`/`.output` of a Sequential only after it
    was called on a symbolic tensor, but `.inputs`/`.outputs` as soon as it has an Input; the
    first entry is the same tensor in both flavours, so code reading it is unchanged."""
    if name is None or access is None:
        return {}
    failing = index.node_at(access, cst.Attribute)
    if failing is None:
        return {}
    scope = index.scope_of(failing)
    target = index.module.code_for_node(failing.value) if isinstance(failing, cst.Attribute) else name
    if target != name and not target.endswith("." + name):  # `self.model.input`: the attribute is the receiver
        target = name
    replacements: dict[cst.CSTNode, cst.CSTNode] = {}
    for node, node_scope in index.scopes.items():
        if node_scope is not scope or not isinstance(node, cst.Attribute):
            continue
        if index.module.code_for_node(node.value) == target and node.attr.value in ("input", "output"):
            plural = node.with_changes(attr=cst.Name(node.attr.value + "s"))
            replacements[node] = cst.Subscript(value=plural, slice=[cst.SubscriptElement(cst.Index(cst.Integer("0")))])
    return replacements


def _receiver_at(index: SourceIndex, error: Any) -> str | None:
    """`model` when the failing expression is `model.input` (or `.output`, ...)."""
    for kind in (cst.Attribute, cst.Call):
        node = index.node_at(error.span, kind)
        if isinstance(node, cst.Call):  # `model.summary()`: the call's function
            node = node.func
        if isinstance(node, cst.Attribute) and node.attr.value in _ATTRS:
            value = node.value
            if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "get_layer":
                value = value.func.value  # `model.get_layer("x").output`: the model is the receiver
            if isinstance(value, cst.Name):
                return value.value
            if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name) and value.value.value == "self":
                return index.module.code_for_node(value)  # `self.model.summary()`
    line = index.source.splitlines()[error.span.line - 1] if error.span.line <= len(index.source.splitlines()) else ""
    found = re.findall(r"\b([A-Za-z_]\w*)\.(?:input|output|inputs|outputs)\b", line)
    return found[0] if len(set(found)) == 1 else None


def _find_sequential(
    sequentials: tuple[SequentialBuild, ...], index: SourceIndex, receiver: str | None, layer_name: str | None
) -> SequentialBuild | None:
    if receiver is not None:
        bound = [s for s in sequentials if index.name_bound_at(s.span) == receiver]
        if len(bound) == 1:
            return bound[0]
        if bound:
            return bound[-1]
    if layer_name is not None:
        named = [s for s in sequentials if s.name == layer_name]
        if len(named) == 1:
            return named[0]
    return sequentials[0] if len(sequentials) == 1 else None


def _first_call_shape(evidence: Evidence, sequential: SequentialBuild) -> tuple[int | None, ...] | None:
    for call in evidence.calls:
        if call.uid == sequential.uid and call.input_shapes:
            shape = call.input_shapes[0]
            return (None, *shape[1:]) if shape else None
    return None


def _static_build_shape(index: SourceIndex, receivers: set[str | None], anywhere: bool = True) -> tuple[int | None, ...] | None:
    """The literal shape of `model.build((None, 5))` for one of `receivers`, or (when `anywhere`)
    of the file's only `.build(<literal>)` call."""
    shapes: list[tuple[int | None, ...]] = []
    elsewhere: list[tuple[int | None, ...]] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value == "build"
                and isinstance(func.value, cst.Name)
                and node.args
                and isinstance(node.args[0].value, (cst.Tuple, cst.List))
            ):
                dims: list[int | None] = []
                for element in node.args[0].value.elements:  # type: ignore[union-attr]
                    value = element.value
                    if isinstance(value, cst.Name) and value.value == "None":
                        dims.append(None)
                    elif isinstance(value, cst.Integer):
                        dims.append(int(value.value))
                    else:
                        return
                elsewhere.append((None, *dims[1:]))
                if func.value.value in receivers:
                    shapes.append((None, *dims[1:]))

    index.module.visit(Finder())
    if len(set(shapes)) == 1:
        return shapes[0]
    return elsewhere[0] if anywhere and len(set(elsewhere)) == 1 else None


def _fed_shapes(index: SourceIndex, receivers: set[str], data: dict[str, tuple[int | None, ...]]) -> list[tuple[int | None, ...]]:
    """`(None, *sample)` for each array, tensor or dataset the program later passes to
    `model.fit`/`predict`/... whose sample shape the probe saw when the program failed."""
    shapes: list[tuple[int | None, ...]] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value in _FEEDS and index.module.code_for_node(func.value) in receivers):
                return
            arg = next((a for a in node.args if a.keyword is not None and a.keyword.value == "x"), None)
            positional = [a for a in node.args if a.keyword is None and not a.star]
            arg = arg or (positional[0] if positional else None)
            value = arg.value if arg is not None else None
            for sample in _samples(index, node, value, data):
                if (None, *sample) not in shapes:
                    shapes.append((None, *sample))

    index.module.visit(Finder())
    return shapes


def _samples(
    index: SourceIndex, at: cst.CSTNode, value: cst.BaseExpression | None, data: dict[str, tuple[int | None, ...]]
) -> list[tuple[int | None, ...]]:
    """Sample shapes of the data `value` (read at `at`) holds: a name the probe saw, or a
    parameter of the enclosing function, followed to the arguments its callers pass."""
    while isinstance(value, cst.Subscript):  # `x[:100]`: the same samples
        value = value.value
    if not isinstance(value, cst.Name):
        return []
    if value.value in data:
        return [data[value.value]]
    node: cst.CSTNode | None = at
    while node is not None and not isinstance(node, cst.FunctionDef):
        node = index.parent(node)
    if not isinstance(node, cst.FunctionDef):
        return []
    function_name, name = node.name.value, value.value
    params = [p.name.value for p in node.params.params]
    if name not in params:
        return []
    position = params.index(name)
    found: list[tuple[int | None, ...]] = []

    class Callers(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            method = isinstance(func, cst.Attribute) and func.attr.value == function_name
            if not method and not (isinstance(func, cst.Name) and func.value == function_name):
                return
            shift = 1 if method and params[:1] == ["self"] else 0
            keyword = next((a for a in node.args if a.keyword is not None and a.keyword.value == name), None)
            positional = [a for a in node.args if a.keyword is None and not a.star]
            arg = keyword or (positional[position - shift] if 0 <= position - shift < len(positional) else None)
            if arg is not None and isinstance(arg.value, cst.Name) and arg.value.value in data:
                found.append(data[arg.value.value])

    index.module.visit(Callers())
    return found


def _is_input(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Call):
        func = value.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        return name in ("Input", "InputLayer")
    return False


def _input_reference(index: SourceIndex, call: cst.Call) -> tuple[str, tuple[str, str] | None]:
    """How this file can spell `Input` in the namespace of this Sequential: an expression, and
    an import `(module, name)` to add when the file has no such spelling yet."""
    found = index.wrapper.resolve(QualifiedNameProvider).get(call.func, set())
    qualified = {q.name for q in (found() if callable(found) else found)}
    root = "keras"
    for name in qualified:
        if name.startswith("tensorflow.keras.") or name.startswith("tensorflow.python.keras"):
            root = "tensorflow.keras"
        elif name.startswith("tf_keras."):
            root = "tf_keras"
    parts = index.module.code_for_node(call.func).split(".")
    for keyword in ("keras", "tf_keras"):
        if keyword in parts[:-1]:
            return ".".join(parts[: parts.index(keyword) + 1]) + ".Input", None
    # the Sequential was imported by name: reuse an imported `Input`, or a module alias
    for node in index.module.body:
        if not isinstance(node, cst.SimpleStatementLine):
            continue
        for statement in node.body:
            if isinstance(statement, cst.ImportFrom) and not isinstance(statement.names, cst.ImportStar):
                module = index.module.code_for_node(statement.module) if statement.module else ""
                for alias in statement.names:
                    if alias.evaluated_name == "Input" and module.split(".")[-1] in ("keras", "layers", "tf_keras") and root.split(".")[-1] in module:
                        return alias.evaluated_alias or "Input", None
    return "Input", (root, "Input")
