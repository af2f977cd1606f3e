"""GF202 backend-function.

``f = K.function([model.input], [layer.output])`` then ``f([x])``: the Keras 2 way to read
intermediate activations. Keras 3 removed ``keras.backend.function``; tf-keras keeps it, but
refuses the ``K.learning_phase()`` input Keras 2 code appends to select test mode.

Symptom: Keras 3 raises ``AttributeError: module 'keras._tf_keras.keras.backend' has no
attribute 'function'`` (or ``'keras.backend'``); tf-keras, given ``inputs + [K.learning_phase()]``,
raises ``ValueError: Found unexpected instance while processing input tensors``.

Detection: the program fails on ``<backend>.function(inputs, outputs)`` with either error. The
function is bound to a name, or is the element of a list comprehension bound to a name (one
function per layer, ``[K.function(ins, [l.output]) for l in layers]``).

Fix: a feature-extractor sub-model, ``f = keras.Model(inputs, outputs)`` (or one per element of
the comprehension), and every call ``f(xs)`` becomes ``f.predict(xs, verbose=0)``, which returns
NumPy arrays computed by the same layers with the same weights. The calls are found through the
name, through a subscript of the list (``fs[i](xs)``) and through the variable of a ``for`` loop
or comprehension over the list. The contract of each call is kept: a list of outputs still gives
a list in the same order (a one-element list is wrapped, since ``predict`` returns a bare array
for a single output; ``[f.predict(xs)][0]`` is written ``f.predict(xs)``), a single output still
gives one array. A learning-phase input (last in the inputs) goes, with the value fed for it
(last in each call's list): ``predict`` always runs in inference mode, which is what a fed 0
selected. Functions used in other ways (passed around, stored) are reported, not rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, call_at, drop_unused_backend_imports, model_arg
from codemods.tf_op_on_keras_tensor import keras_prefix
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

_ERROR = re.compile(r"module '[\w.]*backend' has no attribute 'function'")
_LEARNING_PHASE_ERRORS = ("Found unexpected instance while processing input tensors", "learning_phase")


@dataclass(frozen=True)
class SubModel(Plan):
    """The `backend.function(inputs, outputs)` call at `call`, bound to `name` (itself or as the
    element of a list comprehension), becomes a sub-model; every call `name(xs)` becomes
    `name.predict(xs, verbose=0)`."""

    call: Span
    name: str

    def describe(self) -> str:
        return f"sub-model: `{self.name}` becomes `keras.Model(inputs, outputs)`, called with `predict`"


class BackendFunction(FaultRule):
    code = "GF202"
    name = "backend-function"
    summary = "K.function([...], [...]) to read activations, removed in Keras 3"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or error.span is None:
            return []
        removed = bool(_ERROR.search(error.message))
        if not removed and not any(text in error.message for text in _LEARNING_PHASE_ERRORS):
            return []
        line, col = error.span.line, error.span.col + 1
        node = index.node_at(error.span, cst.Attribute)
        call = index.parent(node) if node is not None else None
        if not isinstance(call, cst.Call) or call.func is not node:
            call = _backend_function_on_line(index, error.span.line)
            if call is None:
                lead = "`backend.function` was removed in Keras 3"
                return [self.fault(line, col, f"{lead}: build a sub-model `keras.Model(inputs, outputs)`")] if removed else []
        if not removed and not _learning_phase_at(call):
            return []
        lead = "`backend.function` was removed in Keras 3" if removed else "`backend.function` cannot take `K.learning_phase()` in TF2"
        name = _holder_name(index, call)
        if name is None:
            return [self.fault(line, col, f"{lead}: build a sub-model `keras.Model(inputs, outputs)` and call `predict`")]
        plan = SubModel(index.span_of(call), name)
        return [self.fault(line, col, f"{lead}: `{name}` becomes a sub-model called with `predict`", repairs=(plan,))]

    def detect_static(self, index: SourceIndex) -> list[Fault]:
        if ".function(" not in index.source:
            return []
        faults = []
        for node in index.positions:
            if not isinstance(node, cst.Call) or not is_backend_function(index, node):
                continue
            name = _holder_name(index, node)
            span = index.span_of(node)
            repairs = (SubModel(span, name),) if name else ()
            message = "`backend.function` does not exist in Keras 3: use a sub-model"
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, SubModel):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        call = call_at(index, plan.call)
        name = plan.name
        inputs, outputs = model_arg(call, 0, "inputs"), model_arg(call, 1, "outputs")
        if inputs is None or outputs is None or len(call.args) != 2 or _holder_name(index, call) != name:
            raise Skip("the backend function does not take exactly inputs and outputs")
        single_list = isinstance(outputs.value, (cst.List, cst.Tuple)) and len(outputs.value.elements) == 1
        phase = _learning_phase_at(call)
        feeds = without_learning_phase(inputs.value) if phase else inputs.value
        uses = _call_sites(index, call, name)
        prefix = keras_prefix(index)
        model = cst.Call(
            func=cst.parse_expression(model_constructor(index)),
            args=[cst.Arg(feeds), outputs.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)],
        )
        replacements: dict[cst.CSTNode, cst.CSTNode] = {call: model}
        for use in uses:
            values = use.args[-1].value
            if phase:
                values = _without_last_value(values)
            predict = cst.Call(
                func=cst.Attribute(value=use.func, attr=cst.Name("predict")),
                args=[*use.args[:-1], cst.Arg(values, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                      cst.Arg(cst.Integer("0"), keyword=cst.Name("verbose"), equal=cst.AssignEqual(
                          whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))],
            )
            first = _first_item(index, use)
            if single_list and first is not None:
                replacements[first] = predict
            else:
                replacements[use] = cst.List([cst.Element(predict)]) if single_list else predict

        class Replace(cst.CSTTransformer):
            def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
                return replacements.get(original, updated)

        code = drop_unused_backend_imports(index.module.visit(Replace()).code)
        return code if prefix or model_constructor(index) != "keras.Model" else add_import(code, "import keras")

    EXAMPLES = (
        Example(
            before=(
                "import keras\n"
                "from keras import backend as K\n"
                "get_hidden = K.function([model.input], [model.layers[1].output])\n"
                "hidden = get_hidden([x])[0]\n"
            ),
            plan=SubModel(Span(3, 13, 3, 64), "get_hidden"),
            after=(
                "import keras\n"
                "get_hidden = keras.Model([model.input], [model.layers[1].output])\n"
                "hidden = get_hidden.predict([x], verbose=0)\n"
            ),
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "f = tf.keras.backend.function(inputs=model.inputs, outputs=[a.output, b.output])\n"
                "first, second = f(batch)\n"
            ),
            plan=SubModel(Span(2, 4, 2, 80), "f"),
            after=(
                "import tensorflow as tf\n"
                "f = tf.keras.Model(model.inputs, [a.output, b.output])\n"
                "first, second = f.predict(batch, verbose=0)\n"
            ),
        ),
        Example(
            before=(
                "from tensorflow.keras import backend as K\n"
                "from tensorflow.keras.models import Model\n"
                "fns = [K.function(net.inputs + [K.learning_phase()], [l.output]) for l in net.layers]\n"
                "maps = [fn([x, 0])[0] for fn in fns]\n"
                "for fn in fns:\n"
                "    print(fn(batch_and_phase))\n"
                "top = fns[-1]([x, 0.])\n"
            ),
            plan=SubModel(Span(3, 7, 3, 64), "fns"),
            after=(
                "from tensorflow.keras.models import Model\n"
                "fns = [Model(net.inputs, [l.output]) for l in net.layers]\n"
                "maps = [fn.predict([x], verbose=0) for fn in fns]\n"
                "for fn in fns:\n"
                "    print([fn.predict(batch_and_phase[:-1], verbose=0)])\n"
                "top = [fns[-1].predict([x], verbose=0)]\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before="import keras\nfrom keras import backend as K\nf = K.function([m.input], [m.output])\nrun_all(f)\n",
            plan=SubModel(Span(3, 4, 3, 37), "f"),
            note="the function is passed elsewhere: its callers are out of reach",
        ),
        Example(
            before=(
                "import keras\nfrom keras import backend as K\n"
                "fs = [K.function([m.input], [l.output]) for l in m.layers]\nfor f in fs:\n    keep.append(f)\n"
            ),
            plan=SubModel(Span(3, 6, 3, 39), "fs"),
            note="a function of the list is stored elsewhere: its callers are out of reach",
        ),
        Example(
            before="import keras\nfrom keras import backend as K\nf = K.function([K.learning_phase(), m.input], [m.output])\ny = f([0, x])\n",
            plan=SubModel(Span(3, 4, 3, 57), "f"),
            note="the learning phase is not the last input: which value feeds it is not known",
        ),
    )


def model_constructor(index: SourceIndex) -> str:
    """How the file can name `Model` in the Keras it already uses: an imported `Model`, a keras
    `models` module (`models.Model`), `<keras>.Model`, else `keras.Model` (to import)."""
    for line in index.module.body:
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for statement in line.body:
            if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar) or statement.module is None:
                continue
            source = index.module.code_for_node(statement.module)
            if source.split(".")[0] not in ("keras", "tensorflow", "tf_keras") or (source == "tensorflow"):
                continue
            for alias in statement.names:
                imported = index.module.code_for_node(alias.name)
                bound = alias.evaluated_alias or imported
                if imported == "Model" or (imported == "models" and source.endswith("keras")):
                    return bound if imported == "Model" else f"{bound}.Model"
    return f"{keras_prefix(index) or 'keras'}.Model"


def is_backend_function(index: SourceIndex, call: cst.Call) -> bool:
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value != "function":
        return False
    owner = index.module.code_for_node(call.func.value)
    return owner in ("K", "backend") or owner.endswith(".backend")


def _backend_function_on_line(index: SourceIndex, line: int) -> cst.Call | None:
    for node, position in index.positions.items():
        if isinstance(node, cst.Call) and position.start.line == line and is_backend_function(index, node):
            return node
    return None


def is_learning_phase(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, (cst.Attribute, cst.Name)) and (
        (node.func.attr.value if isinstance(node.func, cst.Attribute) else node.func.value) == "learning_phase"
    )


def _learning_phase_at(call: cst.Call) -> bool:
    inputs = model_arg(call, 0, "inputs")
    found: list[cst.CSTNode] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if is_learning_phase(node):
                found.append(node)

    if inputs is not None:
        inputs.value.visit(Finder())
    return bool(found)


def without_learning_phase(inputs: cst.BaseExpression) -> cst.BaseExpression:
    """`[a, K.learning_phase()]` -> `[a]`; `xs + [K.learning_phase()]` -> `xs`; the phase must be last."""
    if isinstance(inputs, (cst.List, cst.Tuple)) and inputs.elements and is_learning_phase(inputs.elements[-1].value):
        rest = [e.value for e in inputs.elements[:-1]]
        if not any(is_learning_phase(e) for e in rest):
            return cst.List([cst.Element(e) for e in rest]) if isinstance(inputs, cst.List) else cst.Tuple([cst.Element(e) for e in rest])
    if isinstance(inputs, cst.BinaryOperation) and isinstance(inputs.operator, cst.Add):
        right = inputs.right
        if isinstance(right, (cst.List, cst.Tuple)) and len(right.elements) == 1 and is_learning_phase(right.elements[0].value):
            return inputs.left
    raise Skip("the learning phase is not the last input: which fed value it takes is not known")


def _without_last_value(values: cst.BaseExpression) -> cst.BaseExpression:
    """The values fed to a function without the learning phase's (the last one)."""
    if isinstance(values, (cst.List, cst.Tuple)) and values.elements:
        rest = [cst.Element(e.value) for e in values.elements[:-1]]
        return cst.List(rest) if isinstance(values, cst.List) else cst.Tuple(rest)
    return cst.Subscript(values, [cst.SubscriptElement(cst.Slice(lower=None, upper=cst.UnaryOperation(cst.Minus(), cst.Integer("1"))))])


def _first_item(index: SourceIndex, use: cst.Call) -> cst.Subscript | None:
    """`use[0]`, the whole of the call's result a one-output function gives."""
    parent = index.parent(use)
    if isinstance(parent, cst.Subscript) and parent.value is use and len(parent.slice) == 1:
        element = parent.slice[0].slice
        if isinstance(element, cst.Index) and isinstance(element.value, cst.Integer) and element.value.value == "0":
            return parent
    return None


def _holder_name(index: SourceIndex, call: cst.Call) -> str | None:
    """The name the function is bound to, itself or as the element of a list comprehension."""
    name = index.bound_name(call)
    if name is not None:
        return name
    parent = index.parent(call)
    if isinstance(parent, cst.ListComp) and parent.elt is call:
        return index.bound_name(parent)
    if isinstance(parent, cst.Assign) and parent.value is call and len(parent.targets) == 1:
        target = parent.targets[0].target  # `self.fn = K.function(...)`, called as `self.fn(xs)` in the class
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
            return f"self.{target.attr.value}"
    return None


def _attribute_calls(index: SourceIndex, definition: cst.Call, name: str) -> list[cst.Call]:
    """The calls `self.fn(xs)` of the class that assigns `self.fn = K.function(...)` once."""
    owner: cst.CSTNode | None = definition
    while owner is not None and not isinstance(owner, cst.ClassDef):
        owner = index.parent(owner)
    if owner is None:
        raise Skip(f"`{name}` is not assigned inside a class")
    target = index.parent(definition)
    found: list[cst.CSTNode] = []

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name) and node.value.value == "self" and f"self.{node.attr.value}" == name:
                found.append(node)

    owner.visit(Finder())
    reads = [n for n in found if not (isinstance(target, cst.Assign) and n is target.targets[0].target)]
    return _calls_of(index, reads, name)


def _calls_of(index: SourceIndex, reads: list[cst.CSTNode], name: str) -> list[cst.Call]:
    """Each read must be called with one argument."""
    calls = []
    for read in reads:
        parent = index.parent(read)
        if not isinstance(parent, cst.Call) or parent.func is not read or len(parent.args) != 1:
            raise Skip(f"`{name}` is used other than by calling it with one argument")
        calls.append(parent)
    return calls


def _reads(index: SourceIndex, node: cst.CSTNode, name: str) -> list[cst.CSTNode]:
    scope = index.scope_of(node)
    if scope is None:
        raise Skip(f"no scope for `{name}`")
    return [access.node for assignment in scope.assignments[name] for access in assignment.references]


def _loop_variable(index: SourceIndex, read: cst.CSTNode) -> cst.Name | None:
    """The variable a `for` loop or comprehension binds to each item of `read`: `for f in
    read`, or the matching name of `for a, f in zip(..., read, ...)`."""
    parent = index.parent(read)
    if isinstance(parent, (cst.CompFor, cst.For)) and parent.iter is read:
        return parent.target if isinstance(parent.target, cst.Name) else None
    arg = parent if isinstance(parent, cst.Arg) and parent.value is read and parent.keyword is None and not parent.star else None
    zipped = index.parent(arg) if arg is not None else None
    if not (isinstance(zipped, cst.Call) and isinstance(zipped.func, cst.Name) and zipped.func.value == "zip"):
        return None
    loop = index.parent(zipped)
    if not isinstance(loop, (cst.CompFor, cst.For)) or loop.iter is not zipped or not isinstance(loop.target, (cst.Tuple, cst.List)):
        return None
    targets = loop.target.elements
    if len(targets) != len(zipped.args) or any(a.star for a in zipped.args):
        return None
    target = targets[next(i for i, a in enumerate(zipped.args) if a is arg)].value
    return target if isinstance(target, cst.Name) else None


def _call_sites(index: SourceIndex, definition: cst.Call, name: str) -> list[cst.Call]:
    """Every read of `name` (bound by this definition) must be a direct call `name(xs)`; for a
    list of functions, a call of an item `name[i](xs)` or of a loop variable over the list."""
    if name.startswith("self."):
        calls = _attribute_calls(index, definition, name)
        if not calls:
            raise Skip(f"`{name}` is never called")
        return calls
    holder = definition if index.bound_name(definition) == name else index.parent(definition)
    assert holder is not None
    reads = _reads(index, holder, name)
    if holder is definition:
        calls = _calls_of(index, reads, name)
    else:
        calls = []
        for read in reads:
            parent = index.parent(read)
            if isinstance(parent, cst.Subscript) and parent.value is read:
                calls += _calls_of(index, [parent], name)
            elif (variable := _loop_variable(index, read)) is not None:
                calls += _calls_of(index, _reads(index, variable, variable.value), variable.value)
            else:
                raise Skip(f"`{name}` is used other than by calling its functions")
    if not calls:
        raise Skip(f"`{name}` is never called")
    return calls
