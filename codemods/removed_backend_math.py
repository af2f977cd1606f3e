"""GF505 removed-backend-math.

Keras 2 backend math that Keras 3's ``keras.backend`` dropped: ``K.mean``, ``K.square``,
``K.log``, ``K.exp``, ``K.sum``, ``K.maximum``, ``K.concatenate``, ``K.random_normal``, ... in
custom losses, ``Lambda`` functions, merge layers and metrics of Keras-2-era scripts. (The
session-era and value functions, ``K.get_value``, ``K.gradients``, ..., are GF402.)

Symptom: ``AttributeError: module 'keras.backend' has no attribute 'mean'`` where the function
is called (a loss, a metric, a merge layer). In a ``Lambda`` Keras 3 swallows that error while it
infers the output shape and raises ``NotImplementedError: ... We could not automatically infer
the shape of the Lambda's output`` at the layer call instead.

Detection: the program fails with that error, and the name is a Keras 2 backend function that
``keras.ops`` (or ``keras.random``, for ``random_*``) has under the same name with the same
values; for the Lambda error, the Lambda's function (inline or defined in the file) calls such a
function.

Fix: call the ``keras.ops`` / ``keras.random`` function. The pairs come from
``codemods/keras_api_table.py``, generated from both Keras APIs (tf_keras keeps Keras 2's
backend) by matching names and signatures, never hand-listed, and each pair is compared
numerically by a test; names whose values differ (``K.repeat``, ``K.hard_sigmoid``, ...) are not
in it. ``K.sqrt``, which clips negatives to 0 first, becomes ``ops.sqrt(ops.maximum(x, 0.0))``
(also compared numerically). ``K.shape(x)`` given as the shape of ``K.random_normal`` /
``K.random_uniform`` becomes ``ops.shape(x)`` (a tuple of the same sizes, where Keras 2 gave a
tensor); elsewhere ``K.shape`` is left alone (GF402), since tensor arithmetic on it would differ. Renamed parameters given by keyword get the new name
(``K.clip(x, min_value=0)`` -> ``ops.clip(x, x_min=0)``), and where Keras 3 changed a default the
old one is written out (``K.concatenate([a, b])`` -> ``ops.concatenate([a, b], axis=-1)``), so
every call computes what it did. All such calls in the file are rewritten at once, since each
would stop the program in turn; a backend import nothing uses any more is removed.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from codemods.base import Example, FaultRule, Skip
from codemods.edits import add_import, drop_unused_backend_imports
from codemods.keras_api_table import BACKEND_MATH as GENERATED
from codemods.tf_op_on_keras_tensor import keras_prefix
from graphfix.ftypes import Evidence, Fault, Plan, Span
from graphfix.source import SourceIndex

# Keras 2 functions whose keras.ops namesake differs only in clipping its input first: K.sqrt is
# sqrt(maximum(x, 0)) (a test compares it with tf_keras's); the argument is wrapped so
CLIPPED: dict[str, tuple[str, tuple[tuple[str, str], ...], dict[str, str]]] = {"sqrt": ("ops.sqrt", (("x", "x"),), {})}
BACKEND_MATH = {**GENERATED, **CLIPPED}
# functions whose shape argument may be `K.shape(x)`: a tensor in Keras 2, where `ops.shape(x)` is a
# tuple of the same sizes; as the shape to draw, both mean the same (K.shape elsewhere is left alone)
SHAPED = {"random_normal", "random_uniform"}
_ERROR = re.compile(r"module '(?P<module>[\w.]*backend)' has no attribute '(?P<name>\w+)'")
# Keras 3 runs a Lambda's function to infer its output shape and, when that raises, reports this
# instead of the function's own error
_LAMBDA = "could not automatically infer the shape of the Lambda's output"


@dataclass(frozen=True)
class OpsCalls(Plan):
    """The failing `backend.<name>` at `access` (and every other removed backend math call in the
    file) calls its `keras.ops` / `keras.random` equivalent."""

    access: Span
    name: str

    def describe(self) -> str:
        return f"ops-calls: `backend.{self.name}(...)` becomes `keras.{BACKEND_MATH.get(self.name, ('?',))[0]}(...)`"


_RESOLVED: weakref.WeakKeyDictionary[SourceIndex, Mapping[cst.CSTNode, object]] = weakref.WeakKeyDictionary()


def _backend_name(index: SourceIndex, node: cst.CSTNode) -> str | None:
    """`name` when `node` is an attribute that resolves to `<keras>.backend.<name>` in BACKEND_MATH."""
    name = _backend_attribute(index, node)
    return name if name in BACKEND_MATH else None


def _backend_attribute(index: SourceIndex, node: cst.CSTNode) -> str | None:
    """`name` when `node` is an attribute that resolves to `<keras>.backend.<name>`."""
    if not isinstance(node, cst.Attribute):
        return None
    if index not in _RESOLVED:
        _RESOLVED[index] = index.wrapper.resolve(QualifiedNameProvider)
    names = _RESOLVED[index].get(node, set())
    if callable(names):  # libcst resolves lazily
        names = names()
    assert isinstance(names, (set, frozenset))
    for qualified in names:
        parts = qualified.name.split(".")
        if len(parts) >= 3 and parts[-2] == "backend" and parts[0] in ("keras", "tensorflow"):
            return parts[-1]
    return None


def _converted(call: cst.Call, name: str) -> cst.Call | None:
    """The call's arguments for the replacement, or None when they do not map."""
    _, pairs, defaults = BACKEND_MATH[name]
    renamed = dict(pairs)
    order = [old for old, _ in pairs]
    passed: set[str] = set()
    args: list[cst.Arg] = []
    positional = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            if positional >= len(order):
                return None
            passed.add(renamed[order[positional]])
            positional += 1
            args.append(arg)
            continue
        if arg.keyword.value not in renamed:
            return None
        new = renamed[arg.keyword.value]
        passed.add(new)
        args.append(arg.with_changes(keyword=cst.Name(new)))
    for keyword, text in defaults.items():
        if keyword not in passed:
            if args:
                args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(cst.Arg(value=cst.parse_expression(text), keyword=cst.Name(keyword), equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))))
    return call.with_changes(args=args)


class RemovedBackendMath(FaultRule):
    code = "GF505"
    name = "removed-backend-math"
    summary = "Keras 2 backend math (K.mean, K.square, ...) that Keras 3 moved to keras.ops"
    flavors = ("keras3",)

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is not None and error.span is not None and _LAMBDA in error.message:
            return self._in_lambda(index, error.span)
        if error is None or error.span is None or error.type != "AttributeError":
            return []
        match = _ERROR.search(error.message)
        if match is None or match.group("name") not in BACKEND_MATH:
            return []
        name = match.group("name")
        target = BACKEND_MATH[name][0]
        line, col = error.span.line, error.span.col + 1
        message = f"`backend.{name}` was removed in Keras 3: use `keras.{target}`"
        access = index.node_at(error.span, cst.Attribute)
        if access is None:
            call = index.node_at(error.span, cst.Call)
            access = call.func if isinstance(call, cst.Call) else None
        if access is None or _backend_name(index, access) != name:
            return [self.fault(line, col, message + " (the call could not be located)")]
        return [self.fault(line, col, message, repairs=(OpsCalls(index.span_of(access), name),), explains_error=True)]

    def _in_lambda(self, index: SourceIndex, span: Span) -> list[Fault]:
        """A Lambda whose function calls removed backend math: Keras 3 reports only that it could
        not infer the output shape; the function (inline, or defined in the file) shows why."""
        call = index.node_at(span, cst.Call)
        layer = call.func if isinstance(call, cst.Call) and isinstance(call.func, cst.Call) else call
        if not isinstance(layer, cst.Call) or not layer.args:
            return []
        function: cst.CSTNode = layer.args[0].value
        if isinstance(function, cst.Name):
            named = [d for d in index.module.body if isinstance(d, cst.FunctionDef) and d.name.value == function.value]
            if not named:
                return []
            function = named[0]
        found: list[tuple[cst.Attribute, str]] = []

        class Finder(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> None:
                name = _backend_name(index, node)
                if name is not None:
                    found.append((node, name))

        function.visit(Finder())
        if not found:
            return []
        access, name = found[0]
        names = ", ".join(sorted({f"backend.{n}" for _, n in found}))
        message = f"the Lambda's function calls {names}, removed in Keras 3 (Keras reports only that the output shape could not be inferred): use keras.ops"
        return [self.fault(span.line, span.col + 1, message, repairs=(OpsCalls(index.span_of(access), name),), explains_error=True)]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, OpsCalls):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        access = index.node_at(plan.access, cst.Attribute)
        if access is None or _backend_name(index, access) is None:
            raise Skip(f"no removed backend function at line {plan.access.line}")
        keras = keras_prefix(index) or "keras"
        failing = index.parent(access)
        if not isinstance(failing, cst.Call) or failing.func is not access or _converted(failing, plan.name) is None:
            raise Skip(f"`backend.{plan.name}` is not called with arguments that map")

        class Replace(cst.CSTTransformer):
            def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
                name = _backend_name(index, original.func)
                if name is None:
                    return updated
                converted = _converted(updated, name)
                if converted is None:
                    return updated
                if name in SHAPED and converted.args and isinstance(original.args[0].value, cst.Call):
                    inner = original.args[0].value
                    if _backend_attribute(index, inner.func) == "shape" and len(inner.args) == 1:
                        # K.shape's tensor and ops.shape's tuple give a random tensor the same shape
                        shape = converted.args[0].value
                        assert isinstance(shape, cst.Call)
                        ops_shape = shape.with_changes(func=cst.parse_expression(f"{keras}.ops.shape"))
                        converted = converted.with_changes(args=[converted.args[0].with_changes(value=ops_shape), *converted.args[1:]])
                if name in CLIPPED and converted.args:
                    first = converted.args[0]
                    clipped = cst.parse_expression(f"{keras}.ops.maximum(x, 0.0)")
                    assert isinstance(clipped, cst.Call)
                    clipped = clipped.with_changes(args=[clipped.args[0].with_changes(value=first.value), clipped.args[1]])
                    converted = converted.with_changes(args=[first.with_changes(value=clipped), *converted.args[1:]])
                return converted.with_changes(func=cst.parse_expression(f"{keras}.{BACKEND_MATH[name][0]}"))

        code = drop_unused_backend_imports(index.module.visit(Replace()).code)
        return add_import(code, "import keras") if not keras_prefix(index) else code

    EXAMPLES = (
        Example(
            before=(
                "from keras import backend as K\nfrom keras.layers import Lambda\n"
                "z = Lambda(lambda p: p[0] + K.random_normal(K.shape(p[0])) * K.exp(p[1] / 2))([mu, log_var])\n"
            ),
            plan=OpsCalls(Span(3, 28, 3, 43), "random_normal"),
            after=(
                "from keras.layers import Lambda\nimport keras\n"
                "z = Lambda(lambda p: p[0] + keras.random.normal(keras.ops.shape(p[0])) * keras.ops.exp(p[1] / 2))([mu, log_var])\n"
            ),
            note="K.shape as the shape to draw",
        ),
        Example(
            before=(
                "import keras\nfrom keras import backend as K\n\n\ndef distance(vects):\n    x, y = vects\n"
                "    return K.sqrt(K.maximum(K.sum(K.square(x - y), axis=1, keepdims=True), K.epsilon()))\n"
            ),
            plan=OpsCalls(Span(7, 11, 7, 17), "sqrt"),
            after=(
                "import keras\nfrom keras import backend as K\n\n\ndef distance(vects):\n    x, y = vects\n"
                "    return keras.ops.sqrt(keras.ops.maximum(keras.ops.maximum(keras.ops.sum(keras.ops.square(x - y), axis=1, keepdims=True), "
                "K.epsilon()), 0.0))\n"
            ),
            note="K.sqrt clipped negatives; K.epsilon is still in Keras 3's backend",
        ),
        Example(
            before=(
                "import keras\nfrom keras import backend as K\n\n\ndef wasserstein(y_true, y_pred):\n"
                "    return K.mean(y_true * y_pred)\n\n\nsq = K.sum(K.square(g), axis=[1, 2])\n"
            ),
            plan=OpsCalls(Span(6, 11, 6, 17), "mean"),
            after=(
                "import keras\n\n\ndef wasserstein(y_true, y_pred):\n"
                "    return keras.ops.mean(y_true * y_pred)\n\n\nsq = keras.ops.sum(keras.ops.square(g), axis=[1, 2])\n"
            ),
        ),
        Example(
            before=(
                "from keras import backend as K\nfrom keras.layers import Lambda\n"
                "merged = Lambda(lambda t: K.concatenate([t[0], K.maximum(t[1], 0.0)]))([a, b])\nprint(K.epsilon())\n"
            ),
            plan=OpsCalls(Span(3, 26, 3, 39), "concatenate"),
            after=(
                "from keras import backend as K\nfrom keras.layers import Lambda\nimport keras\n"
                "merged = Lambda(lambda t: keras.ops.concatenate([t[0], keras.ops.maximum(t[1], 0.0)], axis=-1))([a, b])\n"
                "print(K.epsilon())\n"
            ),
        ),
        Example(
            before="import keras\nfrom keras import backend as K\neps = K.random_normal(shape=(K.int_shape(z)[1],), stddev=0.1)\n",
            plan=OpsCalls(Span(3, 6, 3, 21), "random_normal"),
            after="import keras\nfrom keras import backend as K\neps = keras.random.normal(shape=(K.int_shape(z)[1],), stddev=0.1)\n",
        ),
    )
    UNCHANGED = (
        Example(
            before="import keras\nfrom keras import backend as K\nK.mean(x, name='m')\n",
            plan=OpsCalls(Span(3, 0, 3, 6), "mean"),
            note="a keyword with no counterpart",
        ),
        Example(
            before="import keras\nfrom keras import backend as K\nK.epsilon()\n",
            plan=OpsCalls(Span(3, 0, 3, 9), "epsilon"),
            note="still in keras.backend",
        ),
    )
