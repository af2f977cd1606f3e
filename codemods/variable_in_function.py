"""GF303 variable-in-function.

``v = tf.Variable(...)`` inside a plain ``@tf.function`` function. Eagerly each call would make a
new variable; traced, TensorFlow allows variables only on the first trace.

Symptom: ``ValueError: tf.function only supports singleton tf.Variables created on the first
call.`` on a later call (TensorFlow's message names the function and the line, "in user code").

Detection: that error, and a ``tf.function``-decorated function of the file (not a method:
methods are GF301/GF302) whose body assigns ``tf.Variable(...)`` to a name.

Fix: the assignment moves out of the function, just above its definition, so the variable is
created once; the function's reads of the name now reach that variable. This is what the error
asks for ("created outside tf.function"), and it keeps the variable's value across calls, which
is the only behaviour the traced function could have had. An initial value that reads the
function's own parameters or locals cannot move: reported, not rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import libcst as cst

from codemods.base import Example, FaultRule, Skip
from codemods.tf_functions import creates_variable, enclosing_class, functions, tf_function_decorator
from graphfix.ftypes import Evidence, Fault, Plan
from graphfix.source import SourceIndex

SINGLETON = "tf.function only supports singleton tf.Variables"


@dataclass(frozen=True)
class HoistVariables(Plan):
    """The `tf.Variable` assignments of the tf.function `function` move above its definition."""

    function: str
    line: int  # the first such assignment (for the report)

    def describe(self) -> str:
        return f"hoist variables: the `tf.Variable`s of `{self.function}` (line {self.line}) are created once, above it"


class VariableInFunction(FaultRule):
    code = "GF303"
    name = "variable-in-function"
    summary = "tf.Variable created inside a @tf.function function"

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        error = evidence.error
        if error is None or SINGLETON not in error.message:
            return []
        named = set(re.findall(r", in (\w+)", error.message))
        faults = []
        for function, statements in _variable_functions(index):
            if named and function.name.value not in named:
                continue
            span = index.span_of(statements[0])
            names = ", ".join(f"`{_target(s)}`" for s in statements)
            movable = all(_movable(index, function, s) for s in statements)
            message = f"`{function.name.value}` creates {names} on every trace; create it once, outside the function"
            repairs = (HoistVariables(function.name.value, span.line),) if movable else ()
            text = message if movable else message + " (its value reads the function's locals)"
            faults.append(self.fault(span.line, span.col + 1, text, repairs=repairs, explains_error=True))
        return faults

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        if not isinstance(plan, HoistVariables):
            raise Skip(f"not a {self.code} plan: {type(plan).__name__}")
        found = next(((f, s) for f, s in _variable_functions(index) if f.name.value == plan.function), None)
        if found is None:
            raise Skip(f"no tf.function `{plan.function}` creating variables")
        function, statements = found
        if not all(_movable(index, function, s) for s in statements):
            raise Skip("a variable's initial value reads the function's locals")
        moved = set(statements)
        hoisted = list(statements)

        class Hoist(cst.CSTTransformer):
            def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> Any:
                if original is not function:
                    return updated
                body = [s for s, o in zip(updated.body.body, original.body.body) if o not in moved]  # type: ignore[attr-defined]
                if not body:
                    raise Skip("the function would be empty")
                updated = updated.with_changes(body=updated.body.with_changes(body=body))
                first = hoisted[0].with_changes(leading_lines=[*updated.leading_lines, *hoisted[0].leading_lines])
                return cst.FlattenSentinel([first, *hoisted[1:], updated.with_changes(leading_lines=[])])

        return index.module.visit(Hoist()).code

    EXAMPLES = (
        Example(
            before=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "@tf.function\n"
                "def accumulate(x):\n"
                "    total = tf.Variable(0.0)  # running sum\n"
                "    total.assign_add(tf.reduce_sum(x))\n"
                "    return total.read_value()\n"
            ),
            plan=HoistVariables("accumulate", line=6),
            after=(
                "import tensorflow as tf\n"
                "\n"
                "\n"
                "total = tf.Variable(0.0)  # running sum\n"
                "@tf.function\n"
                "def accumulate(x):\n"
                "    total.assign_add(tf.reduce_sum(x))\n"
                "    return total.read_value()\n"
            ),
        ),
    )
    UNCHANGED = (
        Example(
            before="import tensorflow as tf\n@tf.function\ndef f(x):\n    v = tf.Variable(tf.zeros_like(x))\n    return v + x\n",
            plan=HoistVariables("f", line=4),
            note="the initial value reads the parameter `x`",
        ),
    )


def _target(statement: cst.SimpleStatementLine) -> str:
    assign = statement.body[0]
    return assign.targets[0].target.value  # type: ignore[attr-defined,union-attr]


def _variable_functions(index: SourceIndex) -> list[tuple[cst.FunctionDef, list[cst.SimpleStatementLine]]]:
    found = []
    for function in functions(index):
        if tf_function_decorator(index, function) is None or enclosing_class(index, function) is not None:
            continue
        statements = []
        for statement in function.body.body:  # type: ignore[attr-defined]
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            assign = statement.body[0]
            if (
                isinstance(assign, cst.Assign)
                and len(assign.targets) == 1
                and isinstance(assign.targets[0].target, cst.Name)
                and isinstance(assign.value, cst.Call)
                and creates_variable(index, assign.value)
            ):
                statements.append(statement)
        if statements:
            found.append((function, statements))
    return found


def _movable(index: SourceIndex, function: cst.FunctionDef, statement: cst.SimpleStatementLine) -> bool:
    """The value reads no parameter or local of the function."""
    local = {p.name.value for p in (*function.params.params, *function.params.kwonly_params)}
    for other in function.body.body:  # type: ignore[attr-defined]
        if isinstance(other, cst.SimpleStatementLine):
            for small in other.body:
                if isinstance(small, cst.Assign):
                    local |= {t.target.value for t in small.targets if isinstance(t.target, cst.Name)}
    value = statement.body[0].value  # type: ignore[attr-defined]
    reads: set[str] = set()

    class Reads(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            reads.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

    value.visit(Reads())
    return not (reads & local)
