"""`model.add_loss(<expression of the model's tensors>)` on a functional model (part of GF304).

tf-keras lets a functional model take a loss computed from its own symbolic tensors after it
is built (`vae.add_loss(K.mean(kl))`, the classic VAE's KL term). Keras 3 does not: the
functional model's `add_loss` raises a bare `NotImplementedError` (and a TensorFlow op on the
tensors would have failed before, with "A KerasTensor cannot be used as input to a TensorFlow
function"). Keras 3 adds losses only from inside a layer's `call`.

The repair moves the added expression into the graph: a small layer, applied to the symbolic
tensors the expression reads right after the last of them is computed, computes it (with the
statements of the same block that only feed it, `kl = ...`) and calls `self.add_loss` on it,
returning its inputs unchanged. The model's outputs and weights do not change; the loss Keras
adds is the expression the program gave, now computed in each train step. The `add_loss`
statement and the statements that only fed it go. Library-free: plain libcst.
"""

from __future__ import annotations

import libcst as cst

from codemods.base import Skip
from codemods.lambda_layer import class_name, unique_name
from codemods.loss_closure import (
    _capture_locals,
    _check_free,
    _insert_class,
    _library,
    _reads,
    _renamed,
    _simple_assign,
    capture_key,
    identity_layer,
    symbolic_bindings,
)
from graphfix.source import SourceIndex


def added_losses(index: SourceIndex, line: int | None = None) -> list[cst.SimpleStatementLine]:
    """Statements `<model>.add_loss(<one expression>)` outside classes' methods on `self`, at `line`
    when given."""
    found = []
    for node in index.positions:
        if not (isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1 and isinstance(node.body[0], cst.Expr)):
            continue
        call = node.body[0].value
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "add_loss"):
            continue
        if len(call.args) != 1 or call.args[0].keyword is not None:
            continue
        if isinstance(call.func.value, cst.Name) and call.func.value.value == "self":
            continue  # a layer's own add_loss
        if line is None or index.range(node).start.line <= line <= index.range(node).end.line:
            found.append(node)
    return found


def _feeding(
    index: SourceIndex, statement: cst.SimpleStatementLine, symbolic: dict[str, list[cst.SimpleStatementLine]]
) -> tuple[list[str], dict[str, cst.SimpleStatementLine]]:
    """The symbolic tensors the added expression reads (itself or through locals assigned before
    it in the same block and read nowhere else), and those locals' statements."""
    block = index.parent(statement)
    body = list(getattr(block, "body", ()))
    scope = index.enclosing(cst.FunctionDef, statement)
    before = body[: body.index(statement)] if statement in body else []
    moved: dict[str, cst.SimpleStatementLine] = {}
    added = statement.body[0].value.args[0].value  # type: ignore[attr-defined]
    wanted = _reads(added)
    keys: list[str] = []
    for stmt in reversed(before):
        target = _simple_assign(stmt)
        if target is None or target not in {capture_key(r) for r in wanted} or target in symbolic:
            continue
        moved[target] = stmt  # type: ignore[assignment]
        wanted += _reads(stmt)
    for read in wanted:
        key = capture_key(read)
        if key is not None and key in symbolic and key not in keys:
            if all(index.enclosing(cst.FunctionDef, b) is scope for b in symbolic[key]):
                keys.append(key)
    inside = [statement, *moved.values()]
    for node in index.positions:
        if capture_key(node) in moved and not any(_within(index, node, s) for s in inside):
            raise Skip(f"`{capture_key(node)}` is also used other than by the added loss")
    return keys, dict(reversed(list(moved.items())))


def _within(index: SourceIndex, node: cst.CSTNode, statement: cst.CSTNode) -> bool:
    outer, inner = index.range(statement), index.range(node)
    return (outer.start.line, outer.start.column) <= (inner.start.line, inner.start.column) and (
        (inner.end.line, inner.end.column) <= (outer.end.line, outer.end.column)
    )


def add_loss_in_layer(index: SourceIndex, line: int) -> str:
    """The rewrite (see the module docstring); `Skip` with the reason when it does not apply."""
    statements = added_losses(index, line)
    if len(statements) != 1:
        raise Skip(f"no `<model>.add_loss(...)` statement at line {line}")
    statement = statements[0]
    symbolic = symbolic_bindings(index)
    keys, moved = _feeding(index, statement, symbolic)
    if not keys:
        raise Skip("the added loss reads none of the model's symbolic tensors")
    if any(len(symbolic[k]) != 1 for k in keys):
        raise Skip("a tensor the added loss reads is bound more than once")
    bindings = [symbolic[k][0] for k in keys]
    block = index.parent(bindings[0])
    if any(index.parent(b) is not block for b in bindings) or index.parent(statement) is not block:
        raise Skip("the tensors and the added loss are in different blocks")
    keys = sorted(keys, key=lambda k: index.range(symbolic[k][0]).start.line)
    last = max(bindings, key=lambda b: index.range(b).start.line)
    if not _consumed_after(index, last, statement, keys):
        raise Skip("nothing reads the tensors between where they are computed and the added loss")
    taken = {n.value for n in index.positions if isinstance(n, cst.Name)}
    locals_for = _capture_locals(keys, set())
    lines: list[cst.BaseStatement] = []
    for stmt in moved.values():
        _check_free(index, stmt, locals_for, set(moved))
        lines.append(_renamed(stmt, locals_for))  # type: ignore[arg-type]
    call = statement.body[0].value  # type: ignore[attr-defined]
    added = call.args[0].value
    _check_free(index, added, locals_for, set(moved))
    _, base, new_import = _library(index, bindings, "mean")
    layer = unique_name(class_name(next(iter(moved), "added")) + "Loss", taken)
    unpack = cst.parse_statement(", ".join(locals_for[k] for k in keys) + " = inputs")
    add = cst.parse_statement(f"self.add_loss({index.module.code_for_node(_renamed(added, locals_for))})")
    doc = "Adds the loss the program gave `add_loss`, computed from the model's own tensors."
    cls = identity_layer(layer, base, doc, [unpack, *lines, add])
    spelled = ", ".join(keys)
    applied = cst.parse_statement(f"{spelled} = {layer}()({'[' + spelled + ']' if len(keys) > 1 else spelled})")
    gone = [statement, *moved.values()]

    class Rewrite(cst.CSTTransformer):
        def leave_SimpleStatementLine(
            self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
        ) -> cst.BaseStatement | cst.FlattenSentinel[cst.BaseStatement] | cst.RemovalSentinel:
            if original is last:
                return cst.FlattenSentinel([updated, applied])
            if any(original is s for s in gone):
                return cst.RemoveFromParent()
            return updated

    code = _insert_class(index.module.visit(Rewrite()).code, cls)
    if new_import:
        from codemods.edits import add_import

        code = add_import(code, new_import)
    return code


def _consumed_after(index: SourceIndex, last: cst.CSTNode, statement: cst.CSTNode, keys: list[str]) -> bool:
    """A statement between the last tensor's binding and the `add_loss` reads one of the tensors:
    a layer applied right after the binding is on the model's path."""
    start, end = index.range(last).end.line, index.range(statement).start.line
    scope = index.enclosing(cst.FunctionDef, last)
    for node in index.positions:
        if capture_key(node) not in keys or isinstance(index.parent(node), cst.AssignTarget):
            continue
        if start < index.range(node).start.line < end and index.enclosing(cst.FunctionDef, node) is scope:
            return True
    return False
