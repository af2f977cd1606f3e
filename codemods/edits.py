"""Small libcst edits shared by several fault rewrites (renaming inside a call, dropping a
statement, replacing one node). Each edit works on node identity, never on text."""

from __future__ import annotations

from typing import Any

import libcst as cst

from codemods.base import Skip
from graphfix.ftypes import Span
from graphfix.source import SourceIndex


class _Replace(cst.CSTTransformer):
    def __init__(
        self,
        replacements: dict[cst.CSTNode, cst.CSTNode],
        removals: set[cst.CSTNode],
        moves: dict[cst.CSTNode, cst.CSTNode] | None = None,
    ) -> None:
        self.replacements = replacements
        self.removals = removals
        self.moves = moves or {}  # statement -> the statement of the same block it must now precede

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        if isinstance(updated_node, (cst.Module, cst.IndentedBlock)):
            updated_node = self._drop_statements(original_node, updated_node)
        return self.replacements.get(original_node, updated_node)

    def _drop_statements(self, original: cst.CSTNode, updated: cst.Module | cst.IndentedBlock) -> cst.CSTNode:
        """Remove statements; blank lines and comments above a removed one move to the statement after it."""
        assert isinstance(original, (cst.Module, cst.IndentedBlock))
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        moved: dict[cst.CSTNode, cst.BaseStatement] = {old: new for old, new in zip(original.body, updated.body) if old in self.moves}
        for old, new in zip(original.body, updated.body):
            for statement, before in self.moves.items():
                if before is old and statement in moved:
                    statement_now = moved[statement]
                    body.append(statement_now.with_changes(leading_lines=[]) if hasattr(statement_now, "leading_lines") else statement_now)
            if old in self.removals or old in self.moves:
                carried.extend(getattr(new, "leading_lines", ()))
                continue
            if carried:
                own = list(getattr(new, "leading_lines", ()))
                if own and own[0].comment is None:  # the statement keeps its own blank line; carry comments only
                    carried = [line for line in carried if line.comment is not None]
                new = new.with_changes(leading_lines=[*carried, *own])
                carried = []
            body.append(new)
        if not body:
            raise Skip("the rewrite would leave an empty block")
        return updated.with_changes(body=body)


def rewrite(
    index: SourceIndex,
    replacements: dict[cst.CSTNode, cst.CSTNode],
    removals: set[cst.CSTNode] | None = None,
    moves: dict[cst.CSTNode, cst.CSTNode] | None = None,
) -> str:
    """Apply node replacements/removals to the indexed module and return the new source;
    `moves` puts statements just before another statement of their block."""
    module = index.module.visit(_Replace(replacements, removals or set(), moves))
    assert isinstance(module, cst.Module)
    return module.code


def call_at(index: SourceIndex, span: dict[str, int] | Span) -> cst.Call:
    """The call expression the probe reported at `span`."""
    if isinstance(span, dict):
        span = Span(span["line"], span["col"], span["end_line"], span["end_col"])
    node = index.node_at(span)
    if not isinstance(node, cst.Call):
        raise Skip(f"no call found at line {span.line}")
    return node


def names_in(node: cst.CSTNode, name: str) -> list[cst.Name]:
    """Loads of `name` among a call's arguments (not inside nested lambdas or comprehensions)."""
    found: list[cst.Name] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            if n.value == name:
                found.append(n)

        def visit_Lambda(self, n: cst.Lambda) -> bool:
            return False

        def visit_Attribute(self, n: cst.Attribute) -> bool:
            # `x.attr`: only the receiver can be the name we look for
            n.value.visit(self)
            return False

    if isinstance(node, cst.Call):
        for arg in node.args:
            arg.value.visit(Finder())
    else:
        node.visit(Finder())
    return found


def defined_before(index: SourceIndex, name: str, node: cst.CSTNode) -> bool:
    """`name` is assigned, in the scope of `node` or an enclosing one, on an earlier line."""
    scope = index.scope_of(node)
    if scope is None:
        return False
    line = index.range(node).start.line
    for assignment in scope[name]:
        target = getattr(assignment, "node", None)
        if target is not None and target in index.positions and index.range(target).start.line < line:
            return True
    return False


def removable_assignment(index: SourceIndex, name: str, defining_call: cst.CSTNode) -> cst.CSTNode | None:
    """The statement `name = <call>` when nothing reads `name` any more except `except_reads`."""
    statement = index.statement_of(defining_call)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    if index.bound_name(defining_call) != name:
        return None
    return statement


def remaining_reads(index: SourceIndex, name: str, defining_call: cst.CSTNode, rewritten: set[cst.CSTNode]) -> int:
    """How many reads of the variable assigned at `defining_call` survive the rewrite."""
    scope = index.scope_of(defining_call)
    if scope is None:
        return 1
    count = 0
    for assignment in scope.assignments[name]:
        for access in assignment.references:
            if access.node not in rewritten:
                count += 1
    return count



def span_json(span: Span) -> dict[str, int]:
    return {"line": span.line, "col": span.col, "end_line": span.end_line, "end_col": span.end_col}


def model_arg(call: cst.Call, position: int, keyword: str) -> cst.Arg | None:
    """The argument bound to parameter `keyword` (given by keyword or at `position`)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    return positional[position] if len(positional) > position else None


def all_names(node: cst.CSTNode) -> list[cst.Name]:
    """The names `node` reads or binds (not attribute names or argument keywords)."""
    found: list[cst.Name] = []

    class Finder(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)
            return False

    node.visit(Finder())
    return found


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name2`, `name3`, ... the first not in `taken`."""
    suffix, candidate = 1, name
    while candidate in taken:
        suffix += 1
        candidate = f"{name}{suffix}"
    return candidate


def add_import(source: str, statement: str) -> str:
    """Add an import statement after the file's leading block of imports (so it is bound before
    any code runs, unlike an import placed after a late `import` further down)."""
    module = cst.parse_module(source)
    body = list(module.body)
    last = -1
    for position, node in enumerate(body):
        is_import = isinstance(node, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in node.body)
        is_docstring = position == 0 and isinstance(node, cst.SimpleStatementLine) and isinstance(
            node.body[0], cst.Expr
        ) and isinstance(node.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
        if is_import:
            last = position
        elif not is_docstring:
            break
    if last < 0:
        raise Skip("no import block at the top of the file to place the new import in")
    body.insert(last + 1, cst.parse_statement(statement))
    return module.with_changes(body=body).code


def drop_unused_backend_imports(code: str) -> str:
    """Remove `keras.backend` imports (`from keras import backend as K`, `import keras.backend
    as K`, ...) that nothing uses any more after a rewrite; libcst decides what is unused."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import RemoveImportsVisitor

    module = cst.parse_module(code)
    context = CodemodContext()
    requested = False
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for node in statement.body:
            if isinstance(node, cst.ImportFrom) and node.module is not None and not isinstance(node.names, cst.ImportStar):
                source = module.code_for_node(node.module)
                for alias in node.names:
                    if alias.evaluated_name == "backend" or source.endswith(".backend"):
                        RemoveImportsVisitor.remove_unused_import(context, source, alias.evaluated_name, alias.evaluated_alias)
                        requested = True
            elif isinstance(node, cst.Import):
                for alias in node.names:
                    dotted = module.code_for_node(alias.name)
                    if dotted.endswith(".backend") and alias.asname is not None:
                        RemoveImportsVisitor.remove_unused_import(context, dotted, None, alias.evaluated_alias)
                        requested = True
    if not requested:
        return code

    class KeepComments(RemoveImportsVisitor):
        """A removed top-level import hands its comment lines to the statement after it."""

        def __init__(self, context: CodemodContext) -> None:
            super().__init__(context)
            self.pending: list[cst.EmptyLine] = []
            self.depth = 0  # statements entered and not yet left

        def on_visit(self, node: cst.CSTNode) -> bool:
            self.depth += isinstance(node, cst.BaseStatement)
            return super().on_visit(node)

        def on_leave(self, original_node: cst.CSTNode, updated_node: Any) -> Any:
            updated = super().on_leave(original_node, updated_node)
            if not isinstance(original_node, cst.BaseStatement):
                return updated
            self.depth -= 1
            if self.depth:  # not a statement of the module's own body
                return updated
            if isinstance(updated, cst.RemovalSentinel) or (
                isinstance(updated, cst.SimpleStatementLine) and not updated.body
            ):
                self.pending += [line for line in original_node.leading_lines if line.comment is not None]  # type: ignore[attr-defined]
            elif self.pending and isinstance(updated, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                updated = updated.with_changes(leading_lines=[*self.pending, *updated.leading_lines])
                self.pending = []
            return updated

    return KeepComments(context).transform_module(module).code
