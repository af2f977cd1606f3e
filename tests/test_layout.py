"""The layout's promises: no import cycle between graphfix's modules (lazy imports included),
one module writes fixed files, and the rule registry is discovered, not imported by hand."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graphfix", "codemods")


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            name = f"{package}.{path.stem}"
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                    found.add(node.module)
                elif isinstance(node, ast.Import):
                    found.update(a.name for a in node.names if a.name.split(".")[0] in PACKAGES)
            graph[name] = found
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt in graph and state.get(nxt) is None and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if state.get(node) is None and (found := visit(node)):
            return found
    return None


def test_no_import_cycle() -> None:
    assert _cycle(_imports()) is None


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_only_the_writing_module_writes_sources() -> None:
    for name in _imports():
        module, stem = name.split(".")
        text = (ROOT / module / f"{stem}.py").read_text()
        # corpus.py and engine.run_source write scratch copies in temporary directories, not user files
        if name not in ("graphfix.files", "graphfix.writing", "graphfix.corpus", "graphfix.engine"):
            for call in ("write_atomic(", "replace_file(", "os.replace(", ".write_bytes(", ".write_text("):
                assert call not in text, (name, call)
