"""Jupyter notebooks, as an adapter: code cells to one program text and back, faults mapped to
cells, a fixed program rendered back into the cells with everything else in the notebook kept
(nbformat). The engine probes the program text; `graphfix.writing` writes the result.

The script has one marker line before each code cell (`# %% graphfix cell N`, N counting every
cell of the notebook from 1, as a reader counts them), so a rewritten script splits back into
cells. IPython magics and shell escapes are not Python: each such line becomes a `pass`
placeholder that remembers it, and a cell magic (`%%time`, `%%bash`) skips its whole cell.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from graphfix.files import SourceError, SourceFile, read_source
from graphfix.ftypes import FileOutcome
from graphfix.patch import check_diff

if TYPE_CHECKING:
    import nbformat  # imported where a notebook is read: it costs a plain .py check 0.3 s

MARKER = re.compile(r"^# %% graphfix cell (\d+)\n?$")
PLACEHOLDER = re.compile(r"^(\s*)pass  # graphfix magic: (.*)$")
MAGIC = re.compile(r"^\s*[%!?]|^\s*[\w.]+\s*=\s*[!%]|^\s*[\w.]+\?{1,2}\s*$")


@dataclass(frozen=True)
class Script:
    """A notebook's code cells as one Python program, with the way back."""

    text: str
    lines: tuple[tuple[int, int], ...]  # script line (0-based index) -> (cell number, line in cell); (0, 0) for markers
    skipped: tuple[str, ...]  # what was not probed, for the notes


def to_script(notebook: nbformat.NotebookNode) -> Script:
    out: list[str] = []
    lines: list[tuple[int, int]] = []
    skipped: list[str] = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        out.append(f"# %% graphfix cell {number}\n")
        lines.append((0, 0))
        source = cell.source
        cell_magic = source.lstrip().startswith("%%")
        for line_no, line in enumerate(source.splitlines(), start=1):
            if cell_magic or MAGIC.match(line):
                indent = "" if cell_magic else line[: len(line) - len(line.lstrip())]
                out.append(f"{indent}pass  # graphfix magic: {line[len(indent):]}\n")
                if line_no == 1 or not cell_magic:
                    skipped.append(f"cell {number} line {line_no}: skipped {'cell magic' if cell_magic else 'IPython magic or shell escape'} `{line.strip()[:60]}`")
            else:
                out.append(line + "\n")
            lines.append((number, line_no))
    return Script("".join(out), tuple(lines), tuple(skipped))


def split_cells(script: str) -> dict[int, str] | None:
    """Cell number -> source, from a (possibly rewritten) script, magics restored; None when
    the cell markers did not survive intact."""
    cells: dict[int, list[str]] = {}
    current: list[str] | None = None
    above: list[str] = []  # a rewrite that adds an import above everything joins the first cell
    for line in script.splitlines(keepends=True):
        marker = MARKER.match(line)
        if marker:
            number = int(marker.group(1))
            if number in cells:
                return None
            current = cells.setdefault(number, [])
            if len(cells) == 1 and any(item.strip() for item in above):
                current.extend(above)
            continue
        if current is None:
            above.append(line)
            continue
        placeholder = PLACEHOLDER.match(line.rstrip("\n"))
        if placeholder:
            line = placeholder.group(1) + placeholder.group(2) + "\n"
        current.append(line)
    return {number: "".join(body).removesuffix("\n") for number, body in cells.items()}


def cell_diff(path: str, before: str, after: str) -> str:
    """Unified diffs of the changed cells, each labelled `path:cell N`."""
    old = split_cells(before) or {}
    new = split_cells(after) or {}
    parts = []
    for number in sorted(set(old) | set(new)):
        a, b = old.get(number, ""), new.get(number, "")
        if a == b:
            continue
        a_text, b_text = a + "\n", b + "\n"
        diff = "".join(
            difflib.unified_diff(
                a_text.splitlines(keepends=True),
                b_text.splitlines(keepends=True),
                fromfile=f"a/{path.lstrip('/')}:cell {number}",
                tofile=f"b/{path.lstrip('/')}:cell {number}",
            )
        )
        check_diff(diff, a_text, b_text)
        parts.append(diff)
    return "".join(parts)


def read_notebook(path: Path) -> tuple[SourceFile, nbformat.NotebookNode]:
    source = read_source(path)
    import nbformat

    try:
        notebook = nbformat.reads(source.text, as_version=nbformat.NO_CONVERT)
    except Exception as exc:  # nbformat raises several kinds for JSON and schema problems
        raise SourceError(f"not a readable notebook: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if notebook.get("nbformat", 0) < 4:
        raise SourceError(f"notebook format {notebook.get('nbformat')} is not supported (4 is)")
    return source, notebook


def map_outcome(outcome: FileOutcome, path: Path, script: Script) -> FileOutcome:
    """Script lines -> cell lines in the faults; the path back to the notebook's."""

    def where(line: int) -> tuple[int, int]:
        index = min(max(line - 1, 0), len(script.lines) - 1) if script.lines else 0
        while index > 0 and script.lines[index] == (0, 0):
            index += 1 if index + 1 < len(script.lines) else -1
        return script.lines[index] if script.lines else (1, line)

    faults = []
    for item in outcome.faults:
        cell, line = where(item.fault.line)
        faults.append(replace(item, fault=replace(item.fault, cell=cell, line=line)))
    return replace(
        outcome,
        path=str(path),
        faults=tuple(faults),
        skipped=script.skipped,
        program_error=_cell_program_error(outcome.program_error, script),
    )


def _cell_program_error(message: str | None, script: Script) -> str | None:
    if message is None:
        return None
    match = re.search(r"\(line (\d+)\)", message)
    if not match or not script.lines:
        return message
    index = min(int(match.group(1)) - 1, len(script.lines) - 1)
    cell, line = script.lines[index]
    return message.replace(match.group(0), f"(cell {cell}, line {line})")


def render_notebook(notebook: nbformat.NotebookNode, fixed_script: str) -> str:
    """The notebook's text with the fixed script's cells put back; outputs, metadata and the
    other cells stay as they were. Raises SourceError when the cells cannot be mapped back."""
    fixed = split_cells(fixed_script)
    if fixed is None:
        raise SourceError("the fix could not be mapped back to the notebook's cells")
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code" and number in fixed and fixed[number] != cell.source:
            cell.source = fixed[number]
    import nbformat

    text = nbformat.writes(notebook, version=nbformat.NO_CONVERT)
    return text if text.endswith("\n") else text + "\n"
