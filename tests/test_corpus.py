"""Every corpus case under every flavour it declares, end to end (probe, fix, verify, re-run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphfix.corpus import Case, load_cases, run_case
from graphfix.engine import Engine
from graphfix.registry import discover

PARAMS = [(case, flavor) for case in load_cases() for flavor in case.flavors]


def test_corpus_covers_every_code_three_times() -> None:
    rules = discover()
    for code, rule in rules.items():
        for flavor in rule.flavors:
            cases = [c for c, f in PARAMS if c.code == code and f == flavor]
            assert len(cases) >= 3, (code, flavor, len(cases))
    assert len([c for c, _ in PARAMS if c.clean]) >= 6


@pytest.mark.parametrize(("case", "flavor"), PARAMS, ids=[f"{c.id}-{f}" for c, f in PARAMS])
def test_case(engine: Engine, case: Case, flavor: str, tmp_path: Path) -> None:
    settings = engine.options
    result = run_case(engine, case, flavor, tmp_path)
    assert engine.options == settings  # the session's engine is shared: a case runs under a view of it
    if case.clean:
        assert not result.false_positive, result.detail
        return
    assert result.detected, result.detail
    assert result.verified, result.detail
    assert result.fixed_as_expected, result.detail
    assert result.clean_after, result.detail
    assert result.stable, "a second fix pass changed the fixed program"
