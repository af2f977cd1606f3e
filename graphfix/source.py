"""Read a source file through libcst: map probe spans to syntax nodes and names.

The probe reports spans from Python's code positions (1-based lines, 0-based UTF-8 byte
columns); libcst reports character columns. This module converts and looks nodes up, so rules
can ask "which name is the tensor made at this call bound to?" without touching text.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import libcst as cst
from libcst.metadata import (
    CodeRange,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    Scope,
    ScopeProvider,
)

from graphfix.ftypes import Span

N = TypeVar("N", bound=cst.CSTNode)


class SourceIndex:
    def __init__(self, source: str) -> None:
        self.source = source
        self.module = cst.parse_module(source)
        self.wrapper = MetadataWrapper(self.module, unsafe_skip_copy=True)
        self._lines = source.splitlines()

    # metadata is resolved on first use: a static scan of a file without candidates needs none
    @functools.cached_property
    def positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        return self.wrapper.resolve(PositionProvider)

    @functools.cached_property
    def parents(self) -> Mapping[cst.CSTNode, cst.CSTNode]:
        return self.wrapper.resolve(ParentNodeProvider)

    @functools.cached_property
    def scopes(self) -> Mapping[cst.CSTNode, Scope | None]:
        return self.wrapper.resolve(ScopeProvider)

    @functools.cached_property
    def _by_start(self) -> dict[tuple[int, int], list[cst.CSTNode]]:
        by_start: dict[tuple[int, int], list[cst.CSTNode]] = {}
        for node, rng in self.positions.items():
            by_start.setdefault((rng.start.line, rng.start.column), []).append(node)
        return by_start

    def _char_col(self, line: int, byte_col: int) -> int:
        if 1 <= line <= len(self._lines):
            raw = self._lines[line - 1].encode("utf-8")
            return len(raw[:byte_col].decode("utf-8", "replace"))
        return byte_col

    def node_at(self, span: Span, kind: type[cst.CSTNode] = cst.Call) -> cst.CSTNode | None:
        """The node of `kind` exactly covering `span` (the widest one when several start there)."""
        start = (span.line, self._char_col(span.line, span.col))
        end = (span.end_line, self._char_col(span.end_line, span.end_col))
        best: cst.CSTNode | None = None
        for node in self._by_start.get(start, []):
            if not isinstance(node, kind):
                continue
            rng = self.positions[node]
            if (rng.end.line, rng.end.column) == end:
                best = node
        return best

    def span_of(self, node: cst.CSTNode) -> Span:
        """The node's span in the probe's terms (UTF-8 byte columns)."""
        rng = self.positions[node]

        def byte_col(line: int, col: int) -> int:
            if 1 <= line <= len(self._lines):
                return len(self._lines[line - 1][:col].encode("utf-8"))
            return col

        return Span(rng.start.line, byte_col(rng.start.line, rng.start.column), rng.end.line, byte_col(rng.end.line, rng.end.column))

    def range(self, node: cst.CSTNode) -> CodeRange:
        return self.positions[node]

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def enclosing(self, kind: type[N], node: cst.CSTNode) -> N | None:
        """The nearest `kind` (a function, a class) around `node`, or None."""
        current = self.parents.get(node)
        while current is not None and not isinstance(current, kind):
            current = self.parents.get(current)
        return current

    def statement_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(current, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            current = self.parents.get(current)
        return current

    def bound_name(self, node: cst.CSTNode) -> str | None:
        """`x` when `node` is the whole value of `x = node` (or `x: T = node`)."""
        parent = self.parents.get(node)
        if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Name):
                return target.value
        if isinstance(parent, cst.AnnAssign) and parent.value is node and isinstance(parent.target, cst.Name):
            return parent.target.value
        return None

    def name_bound_at(self, span: Span | None) -> str | None:
        if span is None:
            return None
        node = self.node_at(span)
        return self.bound_name(node) if node is not None else None

    def scope_of(self, node: cst.CSTNode) -> Scope | None:
        return self.scopes.get(node)

    def loads(self, name: str, scope: Scope) -> Iterator[cst.CSTNode]:
        """Every read of `name` in `scope` (including reads from nested functions)."""
        for assignment in scope.assignments[name]:
            for access in assignment.references:
                yield access.node

    def assignment_lines(self, name: str, scope: Scope) -> list[int]:
        lines = []
        for assignment in scope.assignments[name]:
            node = getattr(assignment, "node", None)
            if node is not None and node in self.positions:
                lines.append(self.positions[node].start.line)
        return lines


KERAS_ROOTS = {"tensorflow", "keras", "tf_keras"}


def imported_modules(module: cst.Module) -> list[str]:
    """Top-level names of every absolute import, and `.name` for relative ones."""
    names: list[str] = []

    class Finder(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            names.extend(module.code_for_node(alias.name).split(".")[0] for alias in node.names)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if node.relative:
                target = module.code_for_node(node.module).split(".")[0] if node.module else ""
                if target:
                    names.append("." + target)
                elif not isinstance(node.names, cst.ImportStar):
                    names.extend("." + alias.evaluated_name for alias in node.names)
            elif node.module is not None:
                names.append(module.code_for_node(node.module).split(".")[0])

    module.visit(Finder())
    return names


def imports_keras(module: cst.Module, directory: Path | None = None, _seen: set[Path] | None = None) -> bool:
    """Whether the file imports TensorFlow or Keras, directly or through a module of its own
    project (a sibling file or package that does). A file that does not cannot have a graph
    fault and is not worth a probe."""
    seen = _seen if _seen is not None else set()
    for name in imported_modules(module):
        if name.lstrip(".") in KERAS_ROOTS and not name.startswith("."):
            return True
    if directory is None:
        return False
    for name in imported_modules(module):
        base = name.lstrip(".")
        for candidate in (directory / f"{base}.py", directory / base / "__init__.py"):
            if candidate in seen or not candidate.is_file():
                continue
            seen.add(candidate)
            try:
                local = cst.parse_module(candidate.read_text(encoding="utf-8", errors="replace"))
            except (cst.ParserSyntaxError, OSError, RecursionError):
                continue
            if imports_keras(local, candidate.parent if candidate.name != "__init__.py" else candidate.parent, seen):
                return True
    return False
