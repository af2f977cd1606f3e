"""Property tests over every codemod: generated variants of its own examples (renamed names,
padding lines, trailing comments, nesting in a function) give parseable output, a second pass
changes nothing, and inputs the codemod must refuse stay untouched."""

from __future__ import annotations

import copy
import dataclasses
import keyword
import re
import string
from typing import Any

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codemods.base import Example, FaultRule, Skip
from graphfix.ftypes import Span
from graphfix.registry import discover
from graphfix.source import SourceIndex

RULES = discover()
ALL = [(rule, ex, True) for rule in RULES.values() for ex in type(rule).EXAMPLES] + [
    (rule, ex, False) for rule in RULES.values() for ex in type(rule).UNCHANGED
]


class _Rename(cst.CSTTransformer):
    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.mapping.get(updated.value, updated.value))


NAME_FIELDS = ("orphan", "replacement", "submodel", "old", "new", "receiver")


def _map_plan(value: Any, on_span: Any, on_name: Any, field_name: str = "") -> Any:
    """Rebuild a plan (a frozen dataclass of spans, names and tuples), mapping spans and the
    identifier fields that name variables of the example."""
    if isinstance(value, Span):
        return on_span(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _map_plan(getattr(value, f.name), on_span, on_name, f.name) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_map_plan(v, on_span, on_name, field_name) for v in value)
    if isinstance(value, str) and field_name in NAME_FIELDS:
        return on_name(value)
    return value


def _names_in_params(plan: Any) -> set[str]:
    found: set[str] = set()

    def note(name: str) -> str:
        if name.isidentifier():
            found.add(name)
        return name

    _map_plan(plan, lambda s: s, note)
    return found


def _shift(plan: Any, lines: int, cols: int) -> Any:
    shifted = _map_plan(plan, lambda s: Span(s.line + lines, s.col + cols, s.end_line + lines, s.end_col + cols), lambda n: n)
    if dataclasses.is_dataclass(shifted) and isinstance(getattr(shifted, "line", None), int):  # a plan holding a bare line
        shifted = dataclasses.replace(shifted, line=shifted.line + lines)  # type: ignore[arg-type]
    return shifted


def _rename_params(plan: Any, mapping: dict[str, str]) -> Any:
    return _map_plan(plan, lambda s: s, lambda n: mapping.get(n, n))


def _identifiers(code: str) -> set[str]:
    """Every identifier the code spells, attribute names and parameters included."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))


@st.composite
def variants(draw: st.DrawFn, example: Example) -> tuple[str, dict[str, Any], str | None, bool]:
    """(before, params, expected-after or None when not predictable, exact?)"""
    before, after, params = example.before, example.after, copy.deepcopy(example.plan)
    taken = _identifiers(before) | _identifiers(after or "") | set(keyword.kwlist)
    mapping: dict[str, str] = {}
    for name in sorted(_names_in_params(params)):
        if draw(st.booleans()):
            first = draw(st.sampled_from(string.ascii_lowercase))
            rest = draw(st.text(string.ascii_lowercase + string.digits + "_", min_size=len(name) - 1, max_size=len(name) - 1))
            candidate = first + rest
            if candidate not in taken and candidate not in mapping.values() and not keyword.iskeyword(candidate):
                mapping[name] = candidate  # same length: spans stay valid
    if mapping:
        before = cst.parse_module(before).visit(_Rename(mapping)).code
        after = cst.parse_module(after).visit(_Rename(mapping)).code if after else None
        params = _rename_params(params, mapping)
    padding = draw(st.lists(st.sampled_from(["", "# a comment line", "import os"]), max_size=3))
    if padding:
        head = "".join(line + "\n" for line in padding)
        before, after = head + before, (head + after if after else None)
        params = _shift(params, len(padding), 0)
    exact = True
    if draw(st.booleans()):  # trailing comments on every line
        before = "".join(line + "  # note\n" for line in before.splitlines())
        after, exact = None, False
    if draw(st.booleans()):  # nested in a function
        body = "".join(("    " + line if line.strip() else line) + "\n" for line in before.splitlines())
        before = "def wrapper():\n" + body
        params = _shift(params, 1, 4)
        after, exact = None, False
    return before, params, after, exact


def _without_blank_lines(code: str | None) -> str | None:
    return None if code is None else "".join(line + "\n" for line in code.splitlines() if line.strip())


@pytest.mark.parametrize(("rule", "example", "changes"), ALL, ids=[f"{r.code}-{i}" for i, (r, _, _) in enumerate(ALL)])
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_variants(rule: FaultRule, example: Example, changes: bool, data: st.DataObject) -> None:
    before, params, after, exact = data.draw(variants(example))
    try:
        result = rule.transform(SourceIndex(before), params)
    except Skip:
        assert not (changes and exact), "a plain variant of a rewriting example must still rewrite"
        return
    assert changes, "an input the codemod must refuse was rewritten"
    cst.parse_module(result)  # parseable
    if exact:  # blank lines around an inserted definition follow its neighbours; everything else must match
        assert _without_blank_lines(result) == _without_blank_lines(after)
    try:
        again = rule.transform(SourceIndex(result), params)
    except Skip:
        return
    assert again == result, "a second pass changed the output"
