"""A creation inside a plain function made to run once: the first call creates, later calls reuse.

A function that TensorFlow traces more than once (a loss `fit` traces, a helper called from a
tf.function: TensorFlow traces a function that creates variables a second time to check it
creates none) may create variables only the first time. When the creation cannot move out of
the function (its value reads the function's arguments or locals: a shape, a size), it is kept
where it is but guarded by a holder next to the function's definition, as TensorFlow's guide
does it (`if v is None: v = tf.Variable(...)`):

    _<function>_<name> = None        # a module global, or a local of the enclosing function

    def <function>(...):
        global _<function>_<name>    # `nonlocal` for a holder in the enclosing function
        ...
        if _<function>_<name> is None:
            _<function>_<name> = <the creation>
        <name> = _<function>_<name>

The function's traced behaviour is unchanged (a traced function could only ever have used the
variable of its first trace); what changes is that later traces reuse it instead of failing.
Used by GF303 when the probe saw the line create variables on every trace.
"""

from __future__ import annotations

import libcst as cst

from codemods.base import Skip
from codemods.tf_functions import functions
from graphfix.source import SourceIndex


def assigned_call(statement: cst.CSTNode) -> cst.Call | None:
    """The call of a statement `name = <call>(...)` (one plain name bound)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    assign = statement.body[0]
    if (
        isinstance(assign, cst.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
        and isinstance(assign.value, cst.Call)
    ):
        return assign.value
    return None


def innermost_function(index: SourceIndex, name: str, line: int) -> cst.FunctionDef | None:
    """The innermost function called `name` whose definition covers `line`."""
    best = None
    for function in functions(index):
        rng = index.range(function)
        if function.name.value == name and rng.start.line <= line <= rng.end.line:
            if best is None or index.range(best).start.line < rng.start.line:
                best = function
    return best


def creation_at(index: SourceIndex, function: cst.FunctionDef, line: int) -> cst.SimpleStatementLine | None:
    """`name = <call>(...)` starting at `line`, anywhere in `function`'s own body (in an `if`, a
    `with`, not in a nested function or class)."""
    found: list[cst.SimpleStatementLine] = []

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
            if index.range(node).start.line == line and assigned_call(node) is not None:
                found.append(node)
            return False

    function.visit(Finder())
    return found[0] if found else None


def holder_scope(index: SourceIndex, function: cst.FunctionDef) -> tuple[str, cst.FunctionDef | None] | None:
    """Where the holder lives: ("global", None) for a module-level function, ("nonlocal", outer)
    for a function defined directly in another; None for a method or anything else."""
    parent = index.parent(function)
    if isinstance(parent, cst.Module):
        return "global", None
    owner = index.parent(parent) if isinstance(parent, cst.IndentedBlock) else None
    if isinstance(owner, cst.FunctionDef):
        return "nonlocal", owner
    return None


def create_once(index: SourceIndex, name: str, line: int) -> str:
    """The rewrite (see the module docstring); `Skip` with the reason when it does not apply."""
    function = innermost_function(index, name, line)
    statement = creation_at(index, function, line) if function is not None else None
    where = holder_scope(index, function) if function is not None else None
    if function is None or statement is None or where is None or not isinstance(function.body, cst.IndentedBlock):
        raise Skip(f"no `name = ...(...)` at line {line} of a plain function `{name}`")
    assign = statement.body[0]
    assert isinstance(assign, cst.Assign) and isinstance(assign.targets[0].target, cst.Name)
    target = assign.targets[0].target.value
    taken = {n.value for n in index.positions if isinstance(n, cst.Name)}
    holder = f"_{name.lstrip('_')}_{target}"
    suffix = 1
    while holder in taken:
        suffix += 1
        holder = f"_{name.lstrip('_')}_{target}{suffix}"
    kind, outer = where
    declare = cst.parse_statement(f"{kind} {holder}")
    initial = cst.parse_statement(f"{holder} = None  # created once, on the first call of `{name}`")
    store = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(holder))], assign.value)])
    guarded = cst.If(
        test=cst.parse_expression(f"{holder} is None"),
        body=cst.IndentedBlock([store]),
        leading_lines=statement.leading_lines,
    )
    reuse = cst.parse_statement(f"{target} = {holder}")

    class Rewrite(cst.CSTTransformer):
        def leave_SimpleStatementLine(
            self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
        ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement]:
            return cst.FlattenSentinel([guarded, reuse]) if original is statement else updated

        def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.BaseStatement:
            if original is function:
                body = list(updated.body.body)
                at = 1 if body and _is_docstring(body[0]) else 0
                body.insert(at, declare)
                return updated.with_changes(body=updated.body.with_changes(body=body))
            if outer is not None and original is outer:
                body = list(updated.body.body)
                at = next(i for i, s in enumerate(original.body.body) if s is function)
                body.insert(at, initial.with_changes(leading_lines=[]))
                return updated.with_changes(body=updated.body.with_changes(body=body))
            return updated

        def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
            if outer is not None:
                return updated
            body = list(updated.body)
            at = next(i for i, s in enumerate(original.body) if s is function)
            moved = initial.with_changes(leading_lines=body[at].leading_lines)  # type: ignore[attr-defined]
            body[at:at] = [moved]
            body[at + 1] = body[at + 1].with_changes(leading_lines=[cst.EmptyLine(indent=False)] * 2)
            return updated.with_changes(body=body)

    return index.module.visit(Rewrite()).code


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
