"""Reading sources faithfully and writing them back atomically.

A file is read as bytes and decoded with its PEP 263 / BOM encoding; line endings stay in the
text as they were (no universal-newline translation), so writing the text back reproduces every
untouched byte. A write goes to a temporary file in the same directory, is fsynced, takes the
original's permissions, and replaces the original by rename, only if the file on disk is still
the one that was read.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = {".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "site-packages", "node_modules", ".tox", ".mypy_cache"}
MAX_BYTES = 5 * 1024 * 1024


class SourceError(Exception):
    """The file cannot be handled; the message is one line."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    raw: bytes
    text: str
    encoding: str
    virtual: bool = False  # text from an editor buffer or a notebook, not the bytes of `path`


def virtual_source(path: Path, text: str) -> SourceFile:
    """Source text that is probed as if it lived at `path` (which may not hold it, or exist)."""
    return SourceFile(path=path, raw=text.encode("utf-8"), text=text, encoding="utf-8", virtual=True)


def read_source(path: Path) -> SourceFile:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError("no such file") from None
    except IsADirectoryError:
        raise SourceError("is a directory") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise SourceError(f"file too large ({len(raw)} bytes; limit {MAX_BYTES})")
    if b"\x00" in raw:
        raise SourceError("binary file (contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot decode: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    if encoding == "utf-8-sig" and text.startswith("\ufeff"):
        text = text[1:]
    return SourceFile(path=path, raw=raw, text=text, encoding=encoding)


def encode(source: SourceFile, text: str) -> bytes:
    data = text.encode(source.encoding)
    if source.encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    return data


def write_atomic(source: SourceFile, text: str, backup: bool = False) -> None:
    """Replace the file with `text`, only if it still holds the bytes that were read."""
    path = source.path
    try:
        current = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot re-read before writing: {exc.strerror}") from None
    if current != source.raw:
        raise SourceError("changed on disk since it was read; not overwritten")
    data = encode(source, text)
    mode = stat.S_IMODE(path.stat().st_mode)
    # the file is written when its user could write it (as editors, sed -i and formatters do):
    # a mode without write bits stops a normal user, not root; the mode is kept either way
    if not os.access(path, os.W_OK):
        raise SourceError("file is read-only; not overwritten")
    if backup:
        replace_file(path.with_name(path.name + ".orig"), source.raw, mode)
    replace_file(path, data, mode)


def restore_original(source: SourceFile) -> None:
    """Put the bytes that were read back (used when a probed program touched its own file)."""
    try:
        mode = stat.S_IMODE(source.path.stat().st_mode)
    except OSError:
        mode = 0o644
    replace_file(source.path, source.raw, mode)


def replace_file(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".graphfix", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


SUFFIXES = (".py", ".ipynb")


def python_files(target: Path) -> Iterator[Path]:
    """The .py files and notebooks under `target` (a file is itself), sorted, not following
    directory links."""
    if target.is_file() or not target.exists():
        yield target
        return
    for root, dirs, files in os.walk(target, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(SUFFIXES):
                yield Path(root) / name
