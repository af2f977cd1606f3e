"""Unified diffs: produced with difflib, checked with unidiff before anyone sees them."""

from __future__ import annotations

import difflib

from unidiff import PatchSet


def make_diff(path: str, before: str, after: str) -> str:
    """A unified diff from `before` to `after`; "" when nothing changed."""
    if before == after:
        return ""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path.lstrip('/')}",
        tofile=f"b/{path.lstrip('/')}",
    )
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    check_diff(text, before, after)
    return text


def check_diff(diff: str, before: str, after: str) -> None:
    """The diff parses and its line counts match the change (guards the diff we print)."""
    patch = PatchSet(diff)
    if len(patch) != 1:
        raise ValueError("diff must describe exactly one file")
    changed = patch[0]
    removed = sum(h.removed for h in changed)
    added = sum(h.added for h in changed)
    before_lines = before.splitlines()
    after_lines = after.splitlines()
    if len(before_lines) - removed + added != len(after_lines):
        raise ValueError("diff line counts do not match the rewrite")
