"""Every fault module's own examples, as fast tests without TensorFlow."""

from __future__ import annotations

import re

import pytest

from codemods.base import Example, FaultRule, Skip
from graphfix.registry import discover
from graphfix.source import SourceIndex

RULES = discover()
EXAMPLES = [(rule, ex) for rule in RULES.values() for ex in type(rule).EXAMPLES]
UNCHANGED = [(rule, ex) for rule in RULES.values() for ex in type(rule).UNCHANGED]


def _id(item: tuple[FaultRule, Example]) -> str:
    rule, example = item
    return f"{rule.code}:{example.before.splitlines()[-1][:30]}"


@pytest.mark.parametrize("item", EXAMPLES, ids=[_id(i) for i in EXAMPLES])
def test_example_rewrites_to_expected(item: tuple[FaultRule, Example]) -> None:
    rule, example = item
    assert rule.transform(SourceIndex(example.before), example.plan) == example.after


@pytest.mark.parametrize("item", EXAMPLES, ids=[_id(i) for i in EXAMPLES])
def test_second_pass_changes_nothing(item: tuple[FaultRule, Example]) -> None:
    rule, example = item
    assert example.after is not None
    try:
        again = rule.transform(SourceIndex(example.after), example.plan)
    except Skip:
        return
    assert again == example.after


@pytest.mark.parametrize("item", UNCHANGED, ids=[_id(i) for i in UNCHANGED])
def test_unchanged_example_is_refused(item: tuple[FaultRule, Example]) -> None:
    rule, example = item
    with pytest.raises(Skip) as refused:
        rule.transform(SourceIndex(example.before), example.plan)
    assert not str(refused.value).startswith("no call found"), "the example's spans are wrong"


def test_registry_has_unique_documented_codes() -> None:
    assert sorted(RULES) == sorted(set(RULES)) and all(re.fullmatch(r"GF\d{3}", code) for code in RULES)
    assert {"GF101", "GF102", "GF103", "GF104", "GF401"} <= set(RULES)
    for rule in RULES.values():
        assert rule.documentation().startswith(f"{rule.code} {rule.name}")
        assert type(rule).EXAMPLES and type(rule).UNCHANGED
