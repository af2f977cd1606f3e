"""Rule detection on recorded probe evidence: every corpus case, without TensorFlow.

The fixtures in tests/evidence/ are the result files the probe worker wrote for each corpus
case's program.py and expected.py (`tests/record_evidence.py` records them again). Each faulty
program must be detected by the rule of its code, its expected fix must not be (stability), and
no rule may fire on a clean look-alike. Only `code` and `line` of the faults are looked at. The
fixtures must also keep to the schema the worker and `parse_evidence` share (graphfix_schema).
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from codemods.base import FaultRule
from graphfix.ftypes import Evidence
from graphfix.probe import parse_evidence
from graphfix.registry import Registry, discover
from graphfix.runtime import graphfix_schema as schema
from graphfix.source import SourceIndex

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "tests" / "evidence"
CORPUS = ROOT / "corpus"
RERECORD = "re-record with `.venv/bin/python tests/record_evidence.py`"

FIXTURES = sorted(EVIDENCE.glob("*/*.json"))
FAULTY = [p for p in FIXTURES if p.parent.name != "clean"]
CLEAN = [p for p in FIXTURES if p.parent.name == "clean"]


def fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"  # GF101/ae_script.keras3


@cache
def rules() -> Registry:
    return discover()


@cache
def read(path: Path) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(path.read_text())
    return record


def load(path: Path, side: str) -> tuple[Evidence, SourceIndex]:
    """The evidence of one side ("program" or "fixed") and the source it was recorded from."""
    record = read(path)
    case = CORPUS / path.parent.name / path.name.split(".")[0]
    source_name = "program.py" if side == "program" else "expected.py"
    text = (case / source_name).read_text()
    recorded = record["sha256"]["program" if side == "program" else "expected"]
    assert hashlib.sha256(text.encode()).hexdigest() == recorded, f"{case.name}/{source_name} changed: {RERECORD}"
    result = record[side]
    assert result is not None, f"the probe of {source_name} wrote no result when recorded"
    return parse_evidence(result, record["flavor"]), source_index(text)


@cache
def source_index(text: str) -> SourceIndex:
    """One index per source, shared by its flavours (as the engine shares one between rules)."""
    return SourceIndex(text)


def found(rule: FaultRule, evidence: Evidence, index: SourceIndex) -> list[tuple[str, int]]:
    return [(fault.code, fault.line) for fault in rule.detect(evidence, index)]


@pytest.mark.parametrize("path", FAULTY, ids=fixture_id)
def test_rule_detects_its_fault(path: Path) -> None:
    code = path.parent.name
    evidence, index = load(path, "program")
    faults = found(rules()[code], evidence, index)
    assert any(c == code for c, _ in faults), f"{code} not detected; the rule found {faults}"


@pytest.mark.parametrize("path", FAULTY, ids=fixture_id)
def test_expected_fix_is_not_detected(path: Path) -> None:
    code = path.parent.name
    evidence, index = load(path, "fixed")
    lines = [line for c, line in found(rules()[code], evidence, index) if c == code]
    assert not lines, f"{code} still detected in expected.py at lines {lines}"


@pytest.mark.parametrize("path", CLEAN, ids=fixture_id)
def test_no_rule_fires_on_a_clean_look_alike(path: Path) -> None:
    evidence, index = load(path, "program")
    faults = [fault for rule in rules().values() for fault in found(rule, evidence, index)]
    assert not faults


def keys_problems(value: Any, declared: Any, where: str) -> list[str]:
    """Keys of one record the schema's TypedDict does not declare, or requires and are missing."""
    keys = set(value)
    missing = sorted(declared.__required_keys__ - keys)
    unknown = sorted(keys - declared.__required_keys__ - declared.__optional_keys__)
    return [f"{where}: missing {missing}"] * bool(missing) + [f"{where}: undeclared {unknown}"] * bool(unknown)


def test_fixtures_follow_the_schema() -> None:
    """Every key the worker wrote is declared in graphfix_schema, every required one is there."""
    problems = []
    for path, side in ((path, side) for path in FIXTURES for side in ("program", "fixed")):
        result = read(path)[side]
        if result is None:
            continue
        where = f"{fixture_id(path)} {side}"
        problems += keys_problems(result, schema.ResultJSON, where)
        records: list[tuple[str, Any, Any]] = [(f"{where} call", c, schema.CallJSON) for c in result["calls"]]
        records += [(f"{where} tensor", t, schema.TensorJSON) for t in result["tensors"].values()]
        records += [(f"{where} model", m, schema.ModelJSON) for m in result["models"]]
        records += [(f"{where} sequential", q, schema.SequentialJSON) for q in result["sequentials"]]
        records += [(f"{where} error", result["error"], schema.ErrorJSON)] if result["error"] else []
        for what, value, declared in records:
            problems += keys_problems(value, declared, what)
            for key in ("span", "input_span"):
                if value.get(key):
                    problems += keys_problems(value[key], schema.SpanJSON, f"{what} {key}")
    assert not problems, problems


def test_every_corpus_case_and_flavour_is_recorded() -> None:
    from graphfix.corpus import load_cases

    expected = {EVIDENCE / case.code / f"{case.name}.{flavor}.json" for case in load_cases() for flavor in case.flavors}
    assert not sorted(expected - set(FIXTURES)), RERECORD
    assert not sorted(set(FIXTURES) - expected), RERECORD


@pytest.fixture(scope="module", autouse=True)
def tensorflow_imported_before() -> bool:
    """Whether TensorFlow was in this process before the first test of this file (another file's doing)."""
    return "tensorflow" in sys.modules


def test_detection_needs_no_tensorflow(tensorflow_imported_before: bool) -> None:
    """Last in this file (pytest keeps definition order): nothing above imported TensorFlow."""
    if tensorflow_imported_before:
        pytest.skip("TensorFlow was imported by an earlier test file")
    for path in FIXTURES[:1]:
        evidence, index = load(path, "program")
        for rule in rules().values():
            found(rule, evidence, index)
    assert "tensorflow" not in sys.modules
