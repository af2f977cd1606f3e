"""The one place fixed sources are written: a Python file, or a notebook's cells, atomically and
only over the bytes that were read. Everything else in graphfix produces text; this writes it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from graphfix.files import SourceError, read_source, replace_file, write_atomic
from graphfix.ftypes import FileOutcome


def write_outcome(path: Path, outcome: FileOutcome, backup: bool, expected: bytes | None = None) -> FileOutcome:
    """Write `outcome.fixed` to `path` (a notebook gets it back cell by cell); `expected`, when
    given, is the content the fix was computed from: a file that no longer holds it is left alone.
    The outcome says whether the file was written, or why not."""
    if outcome.fixed is None:
        return outcome
    try:
        if path.suffix == ".ipynb":
            from graphfix.notebook import read_notebook, render_notebook  # nbformat: only for notebooks

            source, notebook = read_notebook(path)
            text = render_notebook(notebook, outcome.fixed)
        else:
            source = read_source(path)
            text = outcome.fixed
        if expected is not None and source.raw != expected:
            raise SourceError("changed on disk since it was read; not overwritten")
        write_atomic(source, text, backup=backup)
    except (SourceError, OSError) as exc:
        return replace(outcome, error=f"not written: {exc}")
    return replace(outcome, written=True)


def write_output(target: Path, data: bytes) -> None:
    """A file graphfix produces (a picture): written whole through a temporary file, or raises
    OSError with nothing half-written."""
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    replace_file(target, data, mode)
