"""The engine's choice among candidate repairs, without TensorFlow: a scripted rule proposes
repairs that swap one word, and a scripted probe answers for each program text what a real
probe would have seen. Each test pins one criterion of the ranking."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from codemods.base import Example, FaultRule, Skip
from graphfix.engine import MAX_CANDIDATES, Engine, Options
from graphfix.ftypes import (
    Evidence,
    Fault,
    FixState,
    LayerCall,
    ModelBuild,
    Plan,
    ProbeStatus,
    ProgramError,
    Span,
    Tensor,
    Verdict,
)
from graphfix.source import SourceIndex

HEAD = "import keras\n"


@dataclass(frozen=True)
class Swap(Plan):
    word: str

    def describe(self) -> str:
        return f"swap in `{self.word}`"


class Scripted(FaultRule):
    """GF101 scripted-fault. A test rule: `BROKEN` is the fault; each repair swaps in a word."""

    code = "GF101"
    name = "scripted"
    summary = "test"
    EXAMPLES = (Example("x = BROKEN\n", Swap("ok"), "x = ok\n"),)
    words: tuple[str, ...] = ()

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        if "BROKEN" not in index.module.code:
            return []
        line = index.module.code.splitlines().index("x = BROKEN") + 1
        return [self.fault(line, 1, "scripted", repairs=tuple(Swap(w) for w in self.words), explains_error=True)]

    def transform(self, index: SourceIndex, plan: Plan) -> str:
        assert isinstance(plan, Swap)
        if plan.word == "unappliable":
            raise Skip("cannot rewrite this shape")
        return index.module.code.replace("BROKEN", plan.word)


class Raising(FaultRule):
    """GF102 raising. A test rule whose detection has a bug."""

    code = "GF102"
    name = "raising"
    summary = "test"
    EXAMPLES = Scripted.EXAMPLES

    def detect(self, evidence: Evidence, index: SourceIndex) -> list[Fault]:
        raise KeyError("a bug in the rule")


def _model(inputs: tuple[int, ...], dead: int = 0) -> Evidence:
    """A probe that built one model whose input has shape (None, inputs[0]); `dead` extra layer
    calls reach no model."""
    tensors = {1: Tensor(1, (None, inputs[0]), None, True, Span(2, 0, 2, 1)), 2: Tensor(2, (None, 1), 0, False, None)}
    calls = [LayerCall(0, "dense", "Dense", 10, (1,), (2,), ((None, inputs[0]),), Span(3, 0, 3, 1))]
    for i in range(dead):
        tensors[10 + i] = Tensor(10 + i, (None, 1), i + 1, False, None)
        calls.append(LayerCall(i + 1, f"d{i}", "Dense", 20 + i, (1,), (10 + i,), ((None, inputs[0]),), Span(4 + i, 0, 4 + i, 1)))
    model = ModelBuild("Functional", 1, True, (1,), (2,), Span(5, 0, 5, 1), None, "model")
    return Evidence(ProbeStatus.OK, "keras3", calls=tuple(calls), tensors=tensors, models=(model,))


def _failing(line: int, message: str = "boom") -> Evidence:
    return Evidence(ProbeStatus.ERROR, "keras3", error=ProgramError("ValueError", message, Span(line, 0, line, 1), ""))


class _Idle:
    def start(self) -> None: ...

    def close(self) -> None: ...


class ScriptedEngine(Engine):
    answers: dict[str, Evidence]
    probed: list[str]

    def worker(self, flavor: str) -> _Idle:  # type: ignore[override]
        return _Idle()

    def probe(self, path: Path, text: str) -> Evidence:
        self.probed.append(text)
        for word, evidence in self.answers.items():
            if f"x = {word}\n" in text:
                return evidence
        raise AssertionError(f"no scripted answer for {text!r}")


def _engine(words: tuple[str, ...], answers: dict[str, Evidence], extra: tuple[FaultRule, ...] = ()) -> ScriptedEngine:
    rule = Scripted()
    rule.words = words
    engine = ScriptedEngine({rule.code: rule, **{r.code: r for r in extra}}, Options(flavor="keras3"))
    engine.answers = {"BROKEN": _failing(2), **answers}
    engine.probed = []
    return engine


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "prog.py"
    path.write_text(HEAD + "x = BROKEN\ny = 1\n")
    return path


def _trials(outcome):  # noqa: ANN001, ANN202
    (item,) = [f for f in outcome.faults if f.fault.code == "GF101"]
    return item, {t.plan.split("`")[1]: t for t in item.trials}


def test_the_candidate_that_runs_to_the_end_wins_over_the_first(program: Path) -> None:
    engine = _engine(("early", "late"), {"early": _failing(3), "late": _model((4,))})
    outcome = engine.fix(program)
    item, trials = _trials(outcome)
    assert item.state is FixState.VERIFIED
    assert outcome.fixed == HEAD + "x = late\ny = 1\n"
    assert trials["late"].verdict is Verdict.CHOSEN and trials["early"].verdict is Verdict.LOST
    assert "stopped at line 3" in trials["early"].reason


def test_a_candidate_leaving_layers_dead_loses(program: Path) -> None:
    engine = _engine(("wasteful", "lean"), {"wasteful": _model((4,), dead=2), "lean": _model((4,), dead=0)})
    outcome = engine.fix(program)
    assert outcome.fixed == HEAD + "x = lean\ny = 1\n"
    assert "2 dead" in _trials(outcome)[1]["wasteful"].reason


def test_tied_candidates_building_different_models_are_reported_and_nothing_written(program: Path) -> None:
    engine = _engine(("narrow", "wide"), {"narrow": _model((4,)), "wide": _model((8,))})
    outcome = engine.fix(program, apply=True)
    item, trials = _trials(outcome)
    assert item.state is FixState.AMBIGUOUS and outcome.fixed is None and not outcome.written
    assert program.read_text() == HEAD + "x = BROKEN\ny = 1\n"
    assert {t.verdict for t in trials.values()} == {Verdict.TIED}
    assert all("+x = " in t.diff for t in trials.values())


def test_tied_candidates_building_the_same_models_take_the_smallest_edit(program: Path) -> None:
    engine = _engine(("a_much_longer_name\nz = 2", "short"), {"a_much_longer_name": _model((4,)), "short": _model((4,))})
    outcome = engine.fix(program)
    assert outcome.fixed == HEAD + "x = short\ny = 1\n"


def test_still_failing_with_the_explained_error_is_not_verified(program: Path) -> None:
    engine = _engine(("cosmetic",), {"cosmetic": _failing(2)})
    outcome = engine.fix(program)
    item, trials = _trials(outcome)
    assert item.state is FixState.UNVERIFIED and outcome.fixed is None
    assert "still fails with the error GF101 explained" in trials["cosmetic"].reason


def test_a_candidate_the_codemod_cannot_apply_is_a_failed_trial_with_its_reason(program: Path) -> None:
    engine = _engine(("unappliable", "fine"), {"fine": _model((4,))})
    outcome = engine.fix(program)
    _, trials = _trials(outcome)
    assert trials["unappliable"].verdict is Verdict.FAILED and trials["unappliable"].reason == "cannot rewrite this shape"
    assert outcome.fixed == HEAD + "x = fine\ny = 1\n"


def test_candidates_over_the_cap_are_not_probed(program: Path) -> None:
    words = tuple(f"w{i}" for i in range(MAX_CANDIDATES + 2))
    engine = _engine(words, {w: _failing(3) for w in words})
    outcome = engine.fix(program)
    _, trials = _trials(outcome)
    assert sum(t.verdict is Verdict.NOT_TRIED for t in trials.values()) == 2
    assert len(engine.probed) == 1 + MAX_CANDIDATES


def test_a_rule_that_raises_is_reported_and_the_others_still_run(program: Path) -> None:
    engine = _engine(("fine",), {"fine": _model((4,))}, extra=(Raising(),))
    outcome = engine.fix(program)
    assert outcome.fixed == HEAD + "x = fine\ny = 1\n"
    assert outcome.rule_errors and outcome.rule_errors[0].startswith("GF102:") and "a bug in the rule" in outcome.rule_errors[0]


def test_nothing_of_one_file_is_kept_for_the_next(tmp_path: Path) -> None:
    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_text(HEAD + "x = BROKEN\n")
    second.write_text(HEAD + "x = BROKEN\ny = 2\n")
    engine = _engine(("cosmetic",), {"cosmetic": _failing(2)})
    assert engine.fix(first).unverified == HEAD + "x = cosmetic\n"
    engine.answers["cosmetic"] = _model((4,))
    engine.answers["BROKEN"] = Evidence(ProbeStatus.OK, "keras3")
    engine.rules["GF101"].words = ()  # type: ignore[attr-defined]
    outcome = engine.fix(second)
    assert outcome.unverified is None and outcome.fixed is None
