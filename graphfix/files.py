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

import pathspec

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


def python_files(target: Path, respect_gitignore: bool = True) -> Iterator[Path]:
    """The .py files and notebooks under `target` (a file is itself, even when ignored), sorted,
    not following directory links; with `respect_gitignore`, what git ignores is left out (as
    ruff and ripgrep do)."""
    if target.is_file() or not target.exists():
        yield target
        return
    ignored = GitIgnored(target) if respect_gitignore else None
    for root, dirs, files in os.walk(target, followlinks=False):
        here = Path(root)
        if ignored is not None:
            ignored.enter(here)
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIP_DIRS and not d.startswith(".") and not (ignored and ignored(here / d, directory=True))
        )
        for name in sorted(files):
            if name.endswith(SUFFIXES) and not (ignored and ignored(here / name, directory=False)):
                yield here / name


class GitIgnored:
    """What git would ignore under a walked tree: the `.gitignore` files of the tree's
    directories and of its parents up to the repository root, and `.git/info/exclude`. Deeper
    files decide over shallower ones and later lines over earlier ones (gitignore's own order);
    an ignored directory is not entered."""

    def __init__(self, top: Path) -> None:
        self.specs: dict[Path, pathspec.GitIgnoreSpec] = {}
        top = Path(os.path.abspath(top))
        repo = next((d for d in (top, *top.parents) if (d / ".git").exists()), None)
        if repo is None:
            return  # not in a repository: the tree's own .gitignore files, read as the walk enters
        self._load(repo, repo / ".git" / "info" / "exclude")
        for directory in reversed(top.parents):
            if directory == repo or repo in directory.parents:
                self._load(directory, directory / ".gitignore")

    def _load(self, directory: Path, file: Path) -> None:
        try:
            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self.specs[directory] = spec if directory not in self.specs else self.specs[directory] + spec

    def enter(self, directory: Path) -> None:
        self._load(Path(os.path.abspath(directory)), directory / ".gitignore")

    def __call__(self, path: Path, directory: bool) -> bool:
        path = Path(os.path.abspath(path))
        verdict = False
        for base, spec in self.specs.items():  # outermost first: insertion order follows the walk
            try:
                relative = path.relative_to(base).as_posix()
            except ValueError:
                continue
            result = spec.check_file(relative + "/" if directory else relative)
            if result.include is not None:
                verdict = result.include
        return verdict
