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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.tf_functions import enclosing_class, functions, tf_function_decorator
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex

SYMPTOMS = ("is out of scope and cannot be used here", "SymbolicTensor")


@dataclass(frozen=True)
class ReturnLeaked(Plan):
    """`function` returns the tensor `value` it stored in `sink`, alongside its result; its
    callers unpack it and store it in `sink` themselves."""

    function: str
    value: str
    sink: str

    def describe(self) -> str:
        return f"return leaked: `{self.function}` returns `{self.value}` instead of storing it in `{self.sink}`"


class LeakedTensor(FaultRule):
    code = "GF305"
    name = "leaked-tensor"
    summary = "a tensor made inside a tf.function is stored outside it and used later"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        if evidence.error is None or not any(s in evidence.error.message for s in SYMPTOMS):
            return []
        faults = []
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
        if not faults and evidence.error.span is not None:
            span = evidence.error.span
            faults.append(self.fault(span.line, span.col + 1, "a tensor escaped a tf.function trace: return it from the function and use the returned value", explains_error=True))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
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
