"""GF305 leaked-tensor.

A tensor created inside a ``tf.function`` is stored outside it, in a module-level list
(``history.append(y)``) or global (``global last; last = y``), and used after the call. What
escapes is a symbolic tensor of the trace, not a value.

Symptom: ``TypeError: <tf.Tensor 'mul:0' ...> is out of scope and cannot be used here.`` where
the program uses it (or a ``TypeError`` about a ``SymbolicTensor`` where it is converted).

Detection: that error, and a module-level ``tf.function`` of the file whose body stores a local
into a module-level list (``.append``) or assigns it to a ``global`` name.

Fix: return it. The function returns ``(result, leaked)`` instead of ``result`` and no longer
stores it; every call in the file that binds the result (``out = f(x)``) unpacks both and then
stores the returned value exactly where the function used to (``history.append(leaked)`` or
``last = leaked``), now a real tensor. Every other use of ``out`` is unchanged. A function with
several returns, or calls that do not simply bind the result, are reported, not rewritten.

A second shape (tf-keras): a Model subclass whose ``build`` calls ``super().build(shape)`` and
whose ``call`` uses ``add_loss``. ``Model.build`` with a shape traces ``call`` in its own build
graph, so the loss tensor recorded there is out of scope in the training step (same error). Fix:
drop the ``super().build(...)`` call; the model is built by its first call, inside the step.

A third shape: a layer (often a ``Wrapper``) whose ``call`` assigns tensors to the weights of a
sub-layer (``self.layer.kernel = dropout(self.layer.kernel)``): tf-keras then reads a graph tensor
of an old trace (same error), Keras 3 refuses (``property 'kernel' ... has no setter``). Fix: keep
them in locals (``kernel = self.layer.kernel`` where first read) and compute the wrapped dense layer
from them (``self.layer.activation(tf.matmul(x, kernel) + bias)``) instead of calling it; the
engine's verification rejects this where the sub-layer is not dense.

A fourth shape: a ``Metric`` whose ``update_state`` stores a computed tensor on ``self`` that
``result`` only reduces (``tf.reduce_mean/sum/max(self.x)``): out of scope in Keras 3, silently
only the last batch in tf-keras (reported without an error too). Fix: running ``total``/``count``/
``maximum`` weights made with ``add_weight`` in ``__init__``, updated in ``update_state``, and
``result`` computed from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.tf_functions import (
    calls_in,
    enclosing_class,
    functions,
    is_keras_subclass,
    is_model_subclass,
    method,
    tf_function_decorator,
)
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex

SYMPTOMS = ("is out of scope and cannot be used here", "SymbolicTensor")
# Keras 3: a layer's `kernel` is a read-only property (the key line is below this first one)
NO_SETTER = ("has no setter", "Exception encountered when calling")


@dataclass(frozen=True)
class ReturnLeaked(Plan):
    """`function` returns the tensor `value` it stored in `sink`, alongside its result; its
    callers unpack it and store it in `sink` themselves."""

    function: str
    value: str
    sink: str

    def describe(self) -> str:
        return f"return leaked: `{self.function}` returns `{self.value}` instead of storing it in `{self.sink}`"


@dataclass(frozen=True)
class LetCallBuild(Plan):
    """`cls.build` no longer calls `super().build(shape)`: Keras builds the model at its first call,
    inside the traced step, so what `call` adds with `add_loss` belongs to that trace."""

    cls: str

    def describe(self) -> str:
        return f"let call build: `{self.cls}.build` no longer calls `super().build(...)` (which traces `call` in a build graph)"


@dataclass(frozen=True)
class LocalWeights(Plan):
    """`cls.call` keeps the dropped/modified `attrs` of `self.<sub>` in locals and computes the
    wrapped dense layer from them (`activation(x @ kernel + bias)`) instead of calling it."""

    cls: str
    sub: str
    attrs: tuple[str, ...]

    def describe(self) -> str:
        return f"local weights: `{self.cls}.call` keeps {', '.join(self.attrs)} as locals and applies `self.{self.sub}`'s dense computation to them"


REDUCTIONS = {"reduce_mean": ("total", "count"), "reduce_sum": ("total",), "reduce_max": ("maximum",)}


@dataclass(frozen=True)
class MetricWeights(Plan):
    """The metric keeps running values of `self.<attr>` in weights made in `__init__` (total,
    count, maximum as `reductions` need), updated with assign/assign_add in `update_state`, and
    `result` computes from them."""

    cls: str
    attr: str
    reductions: tuple[str, ...]

    def describe(self) -> str:
        return f"metric weights: `{self.cls}` accumulates `{self.attr}` in add_weight variables and computes result from them"


class LeakedTensor(FaultRule):
    code = "GF305"
    name = "leaked-tensor"
    summary = "a tensor made inside a tf.function is stored outside it and used later"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        failed = evidence.error is not None and any(s in evidence.error.message for s in SYMPTOMS)
        faults = []
        for cls, attr, reductions, site in _metric_states(index):
            span = index.span_of(site)
            message = (
                f"`{cls.name.value}.update_state` keeps a tensor of its trace in `self.{attr}` and `result` reduces it: "
                "out of scope where result runs outside that trace, and only the last batch counts; keep running values in metric weights"
            )
            faults.append(self.fault(span.line, span.col + 1, message, repairs=(MetricWeights(cls.name.value, attr, reductions),), explains_error=failed))
        if evidence.error is None or not any(s in evidence.error.message for s in (*SYMPTOMS, *NO_SETTER)):
            return faults
        for cls, sub, attrs, first in _wrapped_overwrites(index):
            span = index.span_of(first)
            names = ", ".join(f"`self.{sub}.{a}`" for a in attrs)
            message = (
                f"`{cls.name.value}.call` assigns tensors of its trace to {names}: the wrapped layer's weights are replaced by "
                "graph tensors (out of scope in the next trace; a read-only property in Keras 3); compute local tensors and use them"
            )
            repairs: tuple[Plan, ...] = (LocalWeights(cls.name.value, sub, attrs),) if "kernel" in attrs else ()
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs, explains_error=True))
        if not any(s in evidence.error.message for s in SYMPTOMS):
            return faults
        for function, leak in _leaks(index):
            span = index.span_of(leak.statement)
            plan_ok = _rewritable(index, function, leak) is None
            message = f"`{function.name.value}` stores `{leak.value}` in `{leak.sink}`: a tensor of its trace, unusable outside; return it instead"
            if leak.sink in evidence.escaped:
                message += f" (the probe found trace tensors in `{leak.sink}`)"
            if not plan_ok:
                message += f" ({_rewritable(index, function, leak)})"
            repairs = (ReturnLeaked(function.name.value, leak.value, leak.sink),) if plan_ok else ()
            faults.append(self.fault(span.line, span.col + 1, message, repairs=repairs, explains_error=True))
        for cls, supers in _build_traces(index):
            span = index.span_of(supers[0])
            message = (
                f"`{cls.name.value}.build` calls `super().build(...)`, which (tf-keras) traces `call` and its `add_loss` "
                "in a separate build graph; the loss tensor recorded there is out of scope in training: let the first call build the model"
            )
            faults.append(self.fault(span.line, span.col + 1, message, repairs=(LetCallBuild(cls.name.value),), explains_error=True))
        if not faults and evidence.error.span is not None:
            span = evidence.error.span
            faults.append(self.fault(span.line, span.col + 1, "a tensor escaped a tf.function trace: return it from the function and use the returned value", explains_error=True))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if isinstance(plan, LetCallBuild):
            return _let_call_build(index, plan)
        if isinstance(plan, LocalWeights):
            return _local_weights(index, plan)
        if isinstance(plan, MetricWeights):
            return _metric_weights(index, plan)
        if not isinstance(plan, ReturnLeaked):
            raise Skip(f"not a {self.code} plan: {plan.kind}")
        found = next(((f, leak) for f, leak in _leaks(index) if f.name.value == plan.function), None)
        if found is None:
            raise Skip(f"no leaking tf.function `{plan.function}`")
        function, leak = found
        if (leak.value, leak.sink) != (plan.value, plan.sink):
            raise Skip(f"`{plan.function}` stores `{leak.value}` in `{leak.sink}`, not `{plan.value}` in `{plan.sink}`")
        problem = _rewritable(index, function, leak)
        if problem is not None:
            raise Skip(problem)
        calls = _binding_calls(index, function)
        returned = f"{leak.value}_value"

        class Rewrite(cst.CSTTransformer):
            def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine) -> Any:
                if original is leak.statement or original is leak.global_statement:
                    return cst.RemovalSentinel.REMOVE
                if original is leak.return_statement:
                    ret = updated.body[0]
                    assert isinstance(ret, cst.Return) and ret.value is not None
                    pair = cst.Tuple([cst.Element(ret.value, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(cst.Name(leak.value))], lpar=[], rpar=[])
                    return updated.with_changes(body=[ret.with_changes(value=pair)])
                if original in calls:
                    assign = updated.body[0]
                    assert isinstance(assign, cst.Assign)
                    target = assign.targets[0].target
                    pair = cst.Tuple([cst.Element(target, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))), cst.Element(cst.Name(returned))], lpar=[], rpar=[])
                    unpack = updated.with_changes(body=[assign.with_changes(targets=[cst.AssignTarget(pair)])])
                    store = cst.parse_statement(leak.store_code(returned))
                    return cst.FlattenSentinel([unpack, store])
                return updated

        return index.module.visit(Rewrite()).code

    EXAMPLES = (
        Example(
            before=(
                "import tensorflow as tf\n"
                "history = []\n"
                "@tf.function\n"
                "def step(x):\n"
                "    y = x * 2.0\n"
                "    history.append(y)\n"
                "    return x + 1.0\n"
                "out = step(tf.constant(1.0))\n"
                "print(history[-1])\n"
            ),
            plan=ReturnLeaked("step", "y", "history"),
            after=(
                "import tensorflow as tf\n"
                "history = []\n"
                "@tf.function\n"
                "def step(x):\n"
                "    y = x * 2.0\n"
                "    return x + 1.0, y\n"
                "out, y_value = step(tf.constant(1.0))\n"
                "history.append(y_value)\n"
                "print(history[-1])\n"
            ),
        ),
        Example(
            before=(
                "import tensorflow as tf\n"
                "class Net(tf.keras.Model):\n"
                "    def build(self, shape):\n"
                "        self.aux = tf.keras.layers.Dense(shape[-1])\n"
                "        super().build(shape)\n"
                "    def call(self, x):\n"
                "        self.add_loss(tf.reduce_mean(self.aux(x)))\n"
                "        return x\n"
            ),
            plan=LetCallBuild("Net"),
            after=(
                "import tensorflow as tf\n"
                "class Net(tf.keras.Model):\n"
                "    def build(self, shape):\n"
                "        self.aux = tf.keras.layers.Dense(shape[-1])\n"
                "    def call(self, x):\n"
                "        self.add_loss(tf.reduce_mean(self.aux(x)))\n"
                "        return x\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before=(
                "import tensorflow as tf\n"
                "history = []\n"
                "@tf.function\n"
                "def step(x):\n"
                "    y = x * 2.0\n"
                "    history.append(y)\n"
                "    return x + 1.0\n"
                "print(step(tf.constant(1.0)))\n"
            ),
            plan=ReturnLeaked("step", "y", "history"),
            note="the call's result is not bound to a name: there is nowhere to unpack the leaked value",
        ),
    )


def _build_traces(index: SourceIndex) -> list[tuple[cst.ClassDef, list[cst.CSTNode]]]:
    """Model subclasses whose `build` calls `super().build(...)` and whose `call` uses `add_loss`."""
    found = []
    for node in index.positions:
        if not isinstance(node, cst.ClassDef) or not is_model_subclass(index, node):
            continue
        build, call = method(node, "build"), method(node, "call")
        if build is None or call is None:
            continue
        if not any(isinstance(c.func, cst.Attribute) and c.func.attr.value == "add_loss" for c in calls_in(call)):
            continue
        supers: list[cst.CSTNode] = [s for s in build.body.body if _is_super_build(s)]  # type: ignore[attr-defined]
        if supers:
            found.append((node, supers))
    return found


def _is_super_build(statement: cst.CSTNode) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    call = small.value if isinstance(small, cst.Expr) else None
    return (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "build"
        and isinstance(call.func.value, cst.Call)
        and isinstance(call.func.value.func, cst.Name)
        and call.func.value.func.value == "super"
    )


def _let_call_build(index: SourceIndex, plan: LetCallBuild) -> str:
    found = next((c for c, _ in _build_traces(index) if c.name.value == plan.cls), None)
    if found is None:
        raise Skip(f"no model `{plan.cls}` whose build calls super().build and whose call adds a loss")
    build = method(found, "build")
    assert build is not None
    body = [s for s in build.body.body if not _is_super_build(s)]  # type: ignore[attr-defined]
    if not body:
        body = [cst.SimpleStatementLine([cst.Pass()])]
    new_build = build.with_changes(body=build.body.with_changes(body=body))

    class Drop(cst.CSTTransformer):
        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
            return new_build if original is build else updated

    return index.module.visit(Drop()).code


def _self_sub_attr(node: cst.CSTNode) -> tuple[str, str] | None:
    """`self.<sub>.<attr>` -> (sub, attr)."""
    if (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Attribute)
        and isinstance(node.value.value, cst.Name)
        and node.value.value.value == "self"
    ):
        return node.value.attr.value, node.attr.value
    return None


def _wrapped_overwrites(index: SourceIndex) -> list[tuple[cst.ClassDef, str, tuple[str, ...], cst.CSTNode]]:
    """Keras layers whose `call` assigns to attributes of one sub-layer (`self.layer.kernel = ...`)."""
    found: list[tuple[cst.ClassDef, str, tuple[str, ...], cst.CSTNode]] = []
    for node in index.positions:
        if not isinstance(node, cst.ClassDef) or not (is_keras_subclass(index, node) or _is_wrapper(index, node)):
            continue
        call = method(node, "call")
        if call is None:
            continue
        targets = [
            (*pair, n) for n in index.positions
            if isinstance(n, cst.AssignTarget) and (pair := _self_sub_attr(n.target)) is not None and _inside(index, n, call)
        ]
        subs = {t[0] for t in targets}
        if len(subs) == 1:
            attrs = tuple(dict.fromkeys(t[1] for t in targets))
            found.append((node, subs.pop(), attrs, targets[0][2]))
    return found


def _is_wrapper(index: SourceIndex, cls: cst.ClassDef) -> bool:
    return any(index.module.code_for_node(b.value).split(".")[-1] == "Wrapper" for b in cls.bases)


def _inside(index: SourceIndex, node: cst.CSTNode, outer: cst.CSTNode) -> bool:
    parent = index.parent(node)
    while parent is not None and parent is not outer:
        parent = index.parent(parent)
    return parent is outer


def _tf_alias(index: SourceIndex) -> str | None:
    for node in index.module.body:
        if isinstance(node, cst.SimpleStatementLine) and isinstance(node.body[0], cst.Import):
            for alias in node.body[0].names:
                if index.module.code_for_node(alias.name) == "tensorflow":
                    return index.module.code_for_node(alias.asname.name) if alias.asname is not None else "tensorflow"
    return None


def _local_weights(index: SourceIndex, plan: LocalWeights) -> str:
    found = next((c for c, sub, attrs, _ in _wrapped_overwrites(index) if c.name.value == plan.cls and sub == plan.sub), None)
    if found is None:
        raise Skip(f"no layer `{plan.cls}` whose call assigns to `self.{plan.sub}` attributes")
    tf = _tf_alias(index)
    if tf is None:
        raise Skip("tensorflow is not imported as a module")
    call = method(found, "call")
    assert call is not None
    attrs, sub = plan.attrs, plan.sub
    used = {
        n.value for n in index.positions
        if isinstance(n, cst.Name) and _inside(index, n, call) and not (isinstance(p := index.parent(n), cst.Attribute) and p.attr is n)
    }
    if set(attrs) & used:
        raise Skip("a local of that name exists already")

    class Localize(cst.CSTTransformer):
        def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
            pair = _self_sub_attr(original)
            return cst.Name(pair[1]) if pair is not None and pair[0] == sub and pair[1] in attrs else updated

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            func = original.func
            layer = f"self.{sub}"
            if (_self_sub_attr(func) == (sub, "call") or index.module.code_for_node(func) == layer) and updated.args:
                x = index.module.code_for_node(updated.args[0].value)
                bias = "bias" if "bias" in attrs else f"{layer}.bias"
                return cst.parse_expression(f"{layer}.activation({tf}.matmul({x}, kernel) + {bias})")
            return updated

    statements = list(call.body.body)  # type: ignore[attr-defined]
    # the locals start where the attributes are first read (after any build of the sub-layer)
    at = next(
        i for i, st in enumerate(statements)
        if any((pair := _self_sub_attr(n)) is not None and pair[0] == sub and pair[1] in attrs and _inside(index, n, st) for n in index.positions)
    )
    first = cst.parse_statement(f"{', '.join(attrs)} = {', '.join(f'self.{sub}.{a}' for a in attrs)}")
    body = cst.ensure_type(call.body.visit(Localize()), cst.IndentedBlock)
    body = body.with_changes(body=[*body.body[:at], first, *body.body[at:]])  # type: ignore[attr-defined]
    new_call = call.with_changes(body=body)

    class Swap(cst.CSTTransformer):
        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
            return new_call if original is call else updated

    return index.module.visit(Swap()).code


def _self_attr(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return None


def _metric_states(index: SourceIndex) -> list[tuple[cst.ClassDef, str, tuple[str, ...], cst.CSTNode]]:
    """Metric subclasses whose update_state assigns a computed tensor to `self.<attr>` that result
    only reduces (`tf.reduce_mean/sum/max(self.<attr>)`)."""
    found: list[tuple[cst.ClassDef, str, tuple[str, ...], cst.CSTNode]] = []
    for cls in index.positions:
        if not isinstance(cls, cst.ClassDef) or not any(index.module.code_for_node(b.value).split(".")[-1] == "Metric" for b in cls.bases):
            continue
        update, result, init = method(cls, "update_state"), method(cls, "result"), method(cls, "__init__")
        if update is None or result is None or init is None:
            continue
        for n in index.positions:
            if not (isinstance(n, cst.Assign) and len(n.targets) == 1 and isinstance(n.value, (cst.Call, cst.BinaryOperation)) and _inside(index, n, update)):
                continue
            attr = _self_attr(n.targets[0].target)
            if attr is None:
                continue
            reads = [r for r in index.positions if isinstance(r, cst.Attribute) and _self_attr(r) == attr and _inside(index, r, result)]
            reducers = [index.parent(arg) if (arg := index.parent(r)) is not None else None for r in reads]
            names = [c.func.attr.value if isinstance(c, cst.Call) and isinstance(c.func, cst.Attribute) else "" for c in reducers]
            if reads and all(name in REDUCTIONS for name in names):
                found.append((cls, attr, tuple(dict.fromkeys(names)), n))
    return found


def _metric_weights(index: SourceIndex, plan: MetricWeights) -> str:
    found = next(((c, site) for c, a, _, site in _metric_states(index) if c.name.value == plan.cls and a == plan.attr), None)
    tf = _tf_alias(index)
    if found is None or tf is None:
        raise Skip(f"no metric `{plan.cls}` keeping `{plan.attr}` on self (with tensorflow imported)")
    cls, site = found
    attr = plan.attr
    weights = list(dict.fromkeys(w for r in plan.reductions for w in REDUCTIONS[r]))
    made = [cst.parse_statement(f"self.{attr}_{w} = self.add_weight(name='{attr}_{w}', initializer='zeros')") for w in weights]
    updates = {
        "total": f"self.{attr}_total.assign_add({tf}.reduce_sum({attr}))",
        "count": f"self.{attr}_count.assign_add({tf}.cast({tf}.size({attr}), self.dtype))",
        "maximum": f"self.{attr}_maximum.assign({tf}.maximum(self.{attr}_maximum, {tf}.reduce_max({attr})))",
    }
    results = {
        "reduce_mean": f"{tf}.math.divide_no_nan(self.{attr}_total, self.{attr}_count)",
        "reduce_sum": f"{tf}.identity(self.{attr}_total)",
        "reduce_max": f"{tf}.identity(self.{attr}_maximum)",
    }
    init, result = method(cls, "__init__"), method(cls, "result")

    class Rewrite(cst.CSTTransformer):
        def __init__(self) -> None:
            super().__init__()
            self.in_result = False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            if node is result:
                self.in_result = True

        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
            if original is result:
                self.in_result = False
            if original is init:
                body = [st for st in updated.body.body if not _assigns_self(st, attr)]  # type: ignore[attr-defined]
                return updated.with_changes(body=updated.body.with_changes(body=[*body, *made]))
            return updated

        def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine) -> Any:
            if original.body and original.body[0] is site:
                local = updated.with_changes(body=[cst.ensure_type(updated.body[0], cst.Assign).with_changes(targets=[cst.AssignTarget(cst.Name(attr))])])
                return cst.FlattenSentinel([local, *(cst.parse_statement(updates[w]) for w in weights)])
            return updated

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
            func = original.func
            if (
                self.in_result
                and isinstance(func, cst.Attribute)
                and func.attr.value in REDUCTIONS
                and original.args
                and _self_attr(original.args[0].value) == attr
            ):
                return cst.parse_expression(results[func.attr.value])
            return updated

    return index.module.visit(Rewrite()).code


def _assigns_self(statement: cst.CSTNode, attr: str) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Assign)
        and any(_self_attr(t.target) == attr for t in statement.body[0].targets)
    )


class _Leak:
    def __init__(self, statement: cst.SimpleStatementLine, value: str, sink: str, kind: str) -> None:
        self.statement = statement
        self.value = value
        self.sink = sink
        self.kind = kind  # "append" or "global"
        self.global_statement: cst.SimpleStatementLine | None = None
        self.return_statement: cst.SimpleStatementLine | None = None

    def store_code(self, name: str) -> str:
        return f"{self.sink}.append({name})" if self.kind == "append" else f"{self.sink} = {name}"


def _leaks(index: SourceIndex) -> list[tuple[cst.FunctionDef, _Leak]]:
    found = []
    for function in functions(index):
        if tf_function_decorator(index, function) is None or enclosing_class(index, function) is not None:
            continue
        if not isinstance(index.parent(function), cst.Module):
            continue
        globals_: dict[str, cst.SimpleStatementLine] = {}
        leak: _Leak | None = None
        returns = []
        for statement in function.body.body:  # type: ignore[attr-defined]
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            small = statement.body[0]
            if isinstance(small, cst.Global):
                for item in small.names:
                    globals_[item.name.value] = statement
            elif isinstance(small, cst.Return):
                returns.append(statement)
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                call = small.value
                func = call.func
                if (
                    isinstance(func, cst.Attribute)
                    and func.attr.value == "append"
                    and isinstance(func.value, cst.Name)
                    and len(call.args) == 1
                    and isinstance(call.args[0].value, cst.Name)
                ):
                    leak = leak or _Leak(statement, call.args[0].value.value, func.value.value, "append")
            elif isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                name = small.targets[0].target.value
                if name in globals_ and isinstance(small.value, cst.Name):
                    leak = leak or _Leak(statement, small.value.value, name, "global")
                    leak.global_statement = globals_[name]
        if leak is not None:
            leak.return_statement = returns[0] if len(returns) == 1 and returns[0] is function.body.body[-1] else None  # type: ignore[attr-defined]
            found.append((function, leak))
    return found


def _binding_calls(index: SourceIndex, function: cst.FunctionDef) -> list[cst.SimpleStatementLine]:
    statements = []
    for node in index.positions:
        if isinstance(node, cst.Name) and node.value == function.name.value and node is not function.name:
            call = index.parent(node)
            if not isinstance(call, cst.Call) or call.func is not node:
                raise Skip("the function is used other than by calling it")
            assign = index.parent(call)
            statement = index.parent(assign) if isinstance(assign, cst.Assign) else None
            if (
                not isinstance(statement, cst.SimpleStatementLine)
                or len(statement.body) != 1
                or len(assign.targets) != 1  # type: ignore[union-attr]
                or not isinstance(assign.targets[0].target, cst.Name)  # type: ignore[union-attr]
            ):
                raise Skip("a call's result is not simply bound to a name")
            statements.append(statement)
    return statements


def _rewritable(index: SourceIndex, function: cst.FunctionDef, leak: _Leak) -> str | None:
    if leak.return_statement is None:
        return "the function does not end in its only return"
    ret = leak.return_statement.body[0]
    if not isinstance(ret, cst.Return) or ret.value is None or isinstance(ret.value, cst.Tuple):
        return "the function returns nothing or a tuple already"
    try:
        if not _binding_calls(index, function):
            return "the function is never called here"
    except Skip as exc:
        return str(exc)
    return None
