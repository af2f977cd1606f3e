"""The pipeline for one file: probe, diagnose, fix in rounds, verify by re-probing.

This is the boundary where failures become data: a rule or codemod that raises, a probe that
times out or crashes, a file that cannot be read, all end up in the `FileOutcome` with a reason.
"""

from __future__ import annotations

import tempfile
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import libcst as cst

from codemods.base import FaultRule, Skip
from graphfix.config import ConfigError, suppressed, suppressions
from graphfix.files import SourceError, SourceFile, read_source, restore_original, virtual_source
from graphfix.ftypes import (
    HELD_BACK,
    Diagnosis,
    Evidence,
    Fault,
    FaultOutcome,
    FileOutcome,
    FixState,
    Plan,
    ProbeStatus,
    Trial,
    Verdict,
)
from graphfix.notebook import map_outcome, read_notebook, split_cells, to_script
from graphfix.options import Options
from graphfix.probe import ProbeError, ProbeRequest, Worker, detect_flavor
from graphfix.server import ServerWorker
from graphfix.source import SourceIndex, imports_keras
from graphfix.verification import (
    GAINS_OUTPUTS,
    LOSES_LAYERS,
    RESHAPES_OUTPUTS,
    Rank,
    changed_models,
    model_signature,
    problem,
    rank,
    same_fault,
)
from graphfix.writing import write_outcome

MAX_ROUNDS = 12  # one round per statement for faults that stop the program one at a time
MAX_CANDIDATES = 6  # candidate repairs probed per fault; the rest are reported as not tried


@dataclass
class Engine:
    rules: Mapping[str, FaultRule]
    options: Options = field(default_factory=Options)
    _workers: dict[str, Worker | ServerWorker] = field(default_factory=dict)

    def close(self) -> None:
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()

    def worker(self, flavor: str) -> Worker | ServerWorker:
        if flavor not in self._workers:
            kind = ServerWorker if self.options.server else Worker
            self._workers[flavor] = kind(python=self.options.python, flavor=flavor, gpu=self.options.gpu)
        return self._workers[flavor]

    # -- probing and diagnosis ---------------------------------------------------------------

    def probe(self, path: Path, text: str) -> Evidence:
        flavor = self.options.flavor or detect_flavor(text)
        request = ProbeRequest(
            path=str(path.resolve()),
            source=text,
            entry=self.options.entry,
            timeout=self.options.timeout,
            memory_bytes=self.options.memory_bytes,
            cpu_seconds=self.options.cpu_seconds,
            stubs=self.options.stubs,
        )
        return self.worker(flavor).probe(request)

    def diagnose(self, evidence: Evidence, text: str) -> Diagnosis:
        if evidence.status is ProbeStatus.TIMEOUT:
            return Diagnosis((), error=f"probe timed out after {self.options.timeout:g} s")
        if evidence.status is ProbeStatus.CRASHED:
            return Diagnosis((), error=f"program crashed: {evidence.detail}")
        index = SourceIndex(text)
        faults: list[Fault] = []
        rule_errors: list[str] = []
        seen: set[tuple[str, int, int, str]] = set()
        for rule in self.rules.values():
            try:
                found = rule.detect(evidence, index)
            except Exception:  # a bug in one rule: report it as that rule's failure, run the others
                rule_errors.append(f"{rule.code}: " + traceback.format_exc(limit=-3).strip())
                continue
            for fault in found:
                key = (fault.code, fault.line, fault.col, fault.message)
                if key not in seen:  # a builder run twice reports the same fault twice
                    seen.add(key)
                    faults.append(fault)
        every = faults  # an ignored or suppressed fault still explains the failure it causes
        faults = self._chosen(faults, text)
        faults.sort(key=lambda f: (f.line, f.col, f.code))
        program_error = None
        if evidence.error is not None and evidence.error.type == "ProbeTimeout":
            pass  # a long program stopped by the probe's clock: not a failure (the note says it)
        elif evidence.error is not None:
            error_line = evidence.error.span.line if evidence.error.span else None
            if not any(f.line == error_line or f.explains_error for f in every):
                where = f" (line {error_line})" if error_line else ""
                program_error = f"the program failed{where}: {evidence.error.summary}"
        elif evidence.exit_code not in (None, 0):
            program_error = f"the program exited with status {evidence.exit_code}"
        return Diagnosis(tuple(faults), program_error=program_error, rule_errors=tuple(rule_errors))

    def _chosen(self, faults: list[Fault], text: str) -> list[Fault]:
        """The faults the user wants: selected codes, not ignored, not suppressed on their line."""
        table = suppressions(text, self.rules.keys())
        select, ignore = self.options.select, self.options.ignore
        return [
            f
            for f in faults
            if (select is None or f.code in select) and f.code not in ignore and not suppressed(f.line, f.code, table)
        ]

    # -- the public operations ---------------------------------------------------------------

    def _load(self, path: Path, text: str | None = None) -> tuple[SourceFile, SourceIndex] | FileOutcome:
        """The file's source (or `text`, probed as if it lived at `path`), or the outcome that
        ends its processing (unreadable, syntax error, or no TensorFlow/Keras import)."""
        try:
            source = read_source(path) if text is None else virtual_source(path, text)
            if self.options.run and b"import" in source.raw:
                # TensorFlow takes seconds to import: let the worker start while we parse
                self.worker(self.options.flavor or detect_flavor(source.text)).start()
            index = SourceIndex(source.text)
            suppressions(source.text, self.rules.keys())  # an unknown code in a comment is an error
        except (SourceError, ConfigError, ProbeError) as exc:
            return FileOutcome(str(path), error=str(exc))
        except cst.ParserSyntaxError as exc:
            return FileOutcome(str(path), error=f"syntax error at line {exc.raw_line}")
        except RecursionError:
            return FileOutcome(str(path), error="too deeply nested to parse")
        if not imports_keras(index.module, path.parent):
            return FileOutcome(str(path), original=source.text, notes=("skipped: does not import TensorFlow or Keras",))
        return source, index

    def static(self, path: Path, source: SourceFile, index: SourceIndex, rewrite: bool) -> FileOutcome:
        """`--no-run`: faults visible in the source; rewrites are candidates, never verified."""
        faults = self._chosen([f for rule in self.rules.values() for f in rule.detect_static(index)], source.text)
        text = source.text
        states = []
        for fault in sorted(faults, key=lambda f: -f.line):
            state, reason = FixState.NONE, "found without running: no rewrite"
            if fault.repairs:
                state, reason = FixState.UNVERIFIED, "found without running: not verified"
                if rewrite:
                    try:
                        text = self.rules[fault.code].transform(SourceIndex(text), fault.repairs[0])
                    except Skip as exc:
                        state, reason = FixState.FAILED, str(exc)
            states.append(FaultOutcome(fault, state, reason))
        return FileOutcome(
            str(path),
            faults=tuple(sorted(states, key=lambda s: s.fault.line)),
            original=source.text,
            unverified=text if text != source.text else None,
            notes=("static detection only (--no-run): nothing was executed",),
        )

    def run(self, path: Path, operation: str) -> FileOutcome:
        """`operation` is "check", "fix" (nothing written) or "apply"; notebooks included."""
        if path.suffix == ".ipynb":
            return self._notebook(path, operation)
        if operation == "check":
            return self.check(path)
        return self.fix(path, apply=operation == "apply")

    def _notebook(self, path: Path, operation: str) -> FileOutcome:
        """A notebook's code cells are probed and fixed as one program, reported by cell."""
        try:
            source, notebook = read_notebook(path)
        except SourceError as exc:
            return FileOutcome(str(path), error=str(exc))
        script = to_script(notebook)
        outcome = self.check(path, text=script.text) if operation == "check" else self.fix(path, text=script.text)
        outcome = map_outcome(outcome, path, script)
        if outcome.fixed is not None and split_cells(outcome.fixed) is None:
            return _replace(outcome, fixed=None, unverified=outcome.fixed, error="the fix could not be mapped back to the notebook's cells")
        if operation == "apply" and outcome.fixed is not None and outcome.error is None:
            return write_outcome(path, outcome, self.options.backup, expected=source.raw)
        return outcome

    def check(self, path: Path, text: str | None = None) -> FileOutcome:
        """Probe and diagnose the file at `path`, or `text` as if it were that file."""
        loaded = self._load(path, text)
        if isinstance(loaded, FileOutcome):
            return loaded
        source, index = loaded
        if not self.options.run:
            return self.static(path, source, index, rewrite=False)
        try:
            evidence = self.probe(path, source.text)
            self._guard(source)
            diagnosis = self.diagnose(evidence, source.text)
        except ProbeError as exc:
            return FileOutcome(str(path), error=str(exc))
        except Exception:  # a bug of ours: keep the traceback as text, go on with other files
            return FileOutcome(str(path), error="internal error: " + traceback.format_exc(limit=-1).strip().splitlines()[-1])
        outcome = FileOutcome(
            str(path),
            faults=tuple(FaultOutcome(f, FixState.UNVERIFIED if f.repairs else FixState.NONE) for f in diagnosis.faults),
            original=source.text,
            error=diagnosis.error,
            program_error=diagnosis.program_error,
            notes=_stub_notes(evidence),
            evidence=evidence,
            rule_errors=diagnosis.rule_errors,
        )
        return self._with_static_candidates(outcome, source, index, rewrite=False)

    def _with_static_candidates(self, outcome: FileOutcome, source: SourceFile, index: SourceIndex, rewrite: bool) -> FileOutcome:
        """When the program could not run to the end for a reason no rule explains (missing data,
        a dependency, a timeout), idioms visible in the source still get candidate fixes,
        labelled unverified."""
        if outcome.error is None and outcome.program_error is None:
            return outcome
        static = self.static(Path(outcome.path), source, index, rewrite)
        seen = {f.fault.code for f in outcome.faults}
        extra = tuple(f for f in static.faults if f.fault.code not in seen)
        if not extra:
            return outcome
        labelled = tuple(FaultOutcome(f.fault, f.state, "found in the source; the program could not run to confirm it") for f in extra)
        return _replace(
            outcome,
            faults=outcome.faults + labelled,
            unverified=outcome.unverified or static.unverified,
            notes=outcome.notes + ("static candidates added: the program could not run to the end",),
        )

    def _guard(self, source: SourceFile) -> None:
        """The probed program must not have changed its own file; if it did, put it back."""
        if source.virtual:
            return
        try:
            current = source.path.read_bytes()
        except OSError:
            current = None
        if current != source.raw:
            restore_original(source)
            raise ProbeError("the program modified its own source file; restored, not probed further")

    def fix(self, path: Path, apply: bool = False, text: str | None = None) -> FileOutcome:
        """Fix and verify the file at `path` (or `text` as if it were that file; never written)."""
        loaded = self._load(path, text)
        if isinstance(loaded, FileOutcome):
            return loaded
        source, index = loaded
        if not self.options.run:
            return self.static(path, source, index, rewrite=True)
        try:
            outcome = self._fix_rounds(path, source)
        except ProbeError as exc:
            return FileOutcome(str(path), error=str(exc))
        except Exception:
            return FileOutcome(str(path), error="internal error: " + traceback.format_exc(limit=-1).strip().splitlines()[-1])
        if outcome.fixed is None:
            outcome = self._with_static_candidates(outcome, source, index, rewrite=True)
        if apply and outcome.fixed is not None and not source.virtual:
            outcome = write_outcome(path, outcome, self.options.backup, expected=source.raw)
        return outcome

    def run_source(self, path: Path, raw: bytes, operation: str) -> FileOutcome:
        """Check or fix (never write) a file whose bytes were sent from elsewhere (a Ray actor).
        When the path does not hold those bytes on this machine, the program runs from a
        temporary directory under its own file name."""
        try:
            local = path.read_bytes() == raw
        except OSError:
            local = False
        if local:
            return self.run(path, operation)
        with tempfile.TemporaryDirectory(prefix="graphfix-remote-") as tmp:
            copy = Path(tmp) / path.name
            copy.write_bytes(raw)
            outcome = self.run(copy, operation)
        return _replace(outcome, path=str(path))

    def _fix_rounds(self, path: Path, source: SourceFile) -> FileOutcome:
        """Repair in rounds: each round repairs one fault (or a batch of faults that each have a
        single candidate) and re-probes; faults a repair uncovers join the next round."""
        text = source.text
        evidence = self.probe(path, text)
        self._guard(source)
        diagnosis = self.diagnose(evidence, text)
        if diagnosis.error is not None:
            return FileOutcome(str(path), original=text, error=diagnosis.error, rule_errors=diagnosis.rule_errors)
        book = _Ledger(list(diagnosis.faults))
        current, current_evidence = diagnosis, evidence
        unverified: str | None = None
        for _ in range(MAX_ROUNDS):
            pending = [f for f in current.faults if f.repairs and not book.judged(f)]
            if not pending:
                break
            step: _Step | None = None
            singles = [f for f in pending if len(f.repairs) == 1]
            if len(singles) > 1:  # one probe for several unambiguous repairs; on failure, one by one
                step = self._batch(path, source, text, current, current_evidence, singles, book)
            if step is None:
                for fault in pending:
                    step, tried = self._compete(path, source, text, current, current_evidence, fault, book)
                    unverified = unverified or tried
                    if step is not None:
                        break
            if step is None:
                break
            before = current
            text, current, current_evidence = step.text, step.diagnosis, step.evidence
            book.after_step(before, current, step.applied)
        return FileOutcome(
            str(path),
            faults=book.outcomes(),
            original=source.text,
            fixed=text if text != source.text else None,
            unverified=unverified,
            program_error=current.program_error,
            notes=_stub_notes(evidence),
            evidence=evidence,
            rule_errors=diagnosis.rule_errors + tuple(e for e in current.rule_errors if e not in diagnosis.rule_errors),
            stops_at=stop_place(current_evidence),
        )

    def _rewrite(self, text: str, fault: Fault, plan: Plan) -> str:
        """The source after `plan`; raises Skip with the reason when it cannot be applied."""
        try:
            new_text = self.rules[fault.code].transform(SourceIndex(text), plan)
        except Skip:
            raise
        except Exception as exc:  # a bug in a codemod is that candidate's failure, not the file's
            raise Skip(f"rewrite failed: {type(exc).__name__}: {exc}") from exc
        if new_text == text:
            raise Skip("the rewrite changes nothing")
        try:
            SourceIndex(new_text)
        except cst.ParserSyntaxError as exc:
            raise Skip(f"the rewrite does not parse (line {exc.raw_line})") from exc
        return new_text

    def _verify(
        self, path: Path, source: SourceFile, text: str, new_text: str, before: Diagnosis, before_evidence: Evidence, applied: list[Fault]
    ) -> tuple[str | None, Diagnosis, Evidence]:
        """Probe `new_text`: (why it is not a verified fix or None, its diagnosis, its evidence)."""
        evidence = self.probe(path, new_text)
        self._guard(source)
        after = self.diagnose(evidence, new_text)
        shift = new_text.count("\n") - text.count("\n")
        return problem(before, before_evidence, after, evidence, applied, shift), after, evidence

    def _batch(
        self, path: Path, source: SourceFile, text: str, before: Diagnosis, before_evidence: Evidence,
        faults: list[Fault], book: _Ledger,
    ) -> _Step | None:
        """Faults with one candidate each, applied together (bottom of the file first, so earlier
        spans stay valid) and verified by one probe; None when any part does not verify."""
        new_text = text
        applied: list[Fault] = []
        faults = [f for f in faults if f.repairs[0].safe or self.options.unsafe_fixes]  # unsafe ones: held back in _compete
        for fault in sorted(faults, key=lambda f: -f.line):
            try:
                new_text = self._rewrite(new_text, fault, fault.repairs[0])
                applied.append(fault)
            except Skip:
                continue  # judged on its own in the one-by-one pass
        if len(applied) < 2:
            return None
        reason, after, evidence = self._verify(path, source, text, new_text, before, before_evidence, applied)
        if reason is not None or (evidence.error is not None and any(f.repairs[0].changes_inputs for f in applied)):
            return None
        if not self.options.unsafe_fixes and changed_models(before_evidence, evidence) is not None:
            return None  # one by one, so the unsafe one is held back alone
        for fault in applied:
            plan = fault.repairs[0]
            trial = Trial(plan.describe(), plan.kind, Verdict.CHOSEN, "the only candidate; verified with others in one probe")
            book.judge(fault, FixState.VERIFIED, "", (trial,), plan)
        return _Step(new_text, after, evidence, tuple(applied))

    def _compete(
        self, path: Path, source: SourceFile, text: str, before: Diagnosis, before_evidence: Evidence,
        fault: Fault, book: _Ledger,
    ) -> tuple[_Step | None, str | None]:
        """Try every candidate repair of `fault` (up to MAX_CANDIDATES), verify each by probing,
        and rank the verified ones. Returns the winner's step (None when no candidate verified or
        the criteria cannot choose) and the first unverified rewrite, for `--unverified`."""
        trials: list[Trial] = []
        verified: list[tuple[Rank, int, Plan, str, Diagnosis, Evidence]] = []
        unverified: str | None = None
        for position, plan in enumerate(fault.repairs):
            if position >= MAX_CANDIDATES:
                trials.append(Trial(plan.describe(), plan.kind, Verdict.NOT_TRIED, f"over the cap of {MAX_CANDIDATES} candidates"))
                continue
            try:
                new_text = self._rewrite(text, fault, plan)
            except Skip as exc:
                trials.append(Trial(plan.describe(), plan.kind, Verdict.FAILED, str(exc)))
                continue
            reason, after, evidence = self._verify(path, source, text, new_text, before, before_evidence, [fault])
            if reason is None and plan.changes_inputs and evidence.error is not None:
                reason = f"changes a model's inputs, and the program then fails: {evidence.error.summary}"
            if reason is not None:
                unverified = unverified or new_text
                trials.append(Trial(plan.describe(), plan.kind, Verdict.UNVERIFIED, reason))
                continue
            verified.append((rank(before_evidence, evidence, text, new_text), position, plan, new_text, after, evidence))
            trials.append(Trial(plan.describe(), plan.kind, Verdict.LOST))  # placeholder, judged below
        if not verified:
            failed = [t for t in trials if t.verdict is not Verdict.NOT_TRIED]
            state = FixState.UNVERIFIED if any(t.verdict is Verdict.UNVERIFIED for t in failed) else FixState.FAILED
            reason = "; ".join(f"{t.kind}: {t.reason}" for t in failed) if len(failed) > 1 else (failed[0].reason if failed else "")
            book.judge(fault, state, reason, tuple(trials))
            return None, unverified
        verified.sort(key=lambda v: (v[0].key(), v[1]))
        best = verified[0]
        signature = model_signature(best[5])
        rivals = [v for v in verified[1:] if v[0].runtime == best[0].runtime and model_signature(v[5]) != signature]
        judged: dict[int, Trial] = {}
        if rivals:
            for rank_, position, plan, new_text, _, _ in [best, *rivals]:
                judged[position] = Trial(
                    plan.describe(), plan.kind, Verdict.TIED,
                    f"verified ({rank_.describe()}); builds other models than another verified candidate",
                    rank_.key(), _diff(path, text, new_text),
                )
        else:
            judged[best[1]] = Trial(best[2].describe(), best[2].kind, Verdict.CHOSEN, f"verified: {best[0].describe()}", best[0].key())
        for rank_, position, plan, _, _, _ in verified:
            if position not in judged:
                judged[position] = Trial(plan.describe(), plan.kind, Verdict.LOST, f"verified, ranked lower: {rank_.describe()}", rank_.key())
        final: list[Trial] = []
        verified_positions = iter(v[1] for v in sorted(verified, key=lambda v: v[1]))
        for trial in trials:
            if trial.verdict is Verdict.LOST and trial.rank is None:  # a placeholder, in candidate order
                final.append(judged[next(verified_positions)])
            else:
                final.append(trial)
        if rivals:
            kinds = ", ".join(t.kind for t in final if t.verdict is Verdict.TIED)
            book.judge(fault, FixState.AMBIGUOUS, f"verified repairs build different models and nothing ranks them ({kinds}): nothing written", tuple(final))
            return None, unverified
        _, _, _, new_text, after, evidence = best
        if not self._allowed(best[2], before_evidence, evidence):
            self._hold_back(path, text, new_text, fault, tuple(final), best[2], book)
            return None, unverified
        book.judge(fault, FixState.VERIFIED, "", tuple(final), best[2])
        return _Step(new_text, after, evidence, (fault,)), unverified

    # -- fix safety: an unsafe winner is verified but not applied without --unsafe-fixes ------

    def _allowed(self, plan: Plan, before: Evidence, after: Evidence) -> bool:
        """Safe: declared so by its rule, and no model that built before has other inputs or
        outputs (or stopped building) after it."""
        if self.options.unsafe_fixes:
            return True
        declared = ((LOSES_LAYERS, plan.drops_layers), (GAINS_OUTPUTS, plan.exposes_outputs), (RESHAPES_OUTPUTS, plan.reshapes_outputs))
        allow = frozenset(kind for kind, flag in declared if flag)
        return plan.safe and changed_models(before, after, allow) is None

    def _hold_back(
        self, path: Path, text: str, new_text: str, fault: Fault, trials: tuple[Trial, ...], plan: Plan, book: _Ledger
    ) -> None:
        """The verified winner changes a model's signature: record it (its diff kept on the chosen
        trial, to be shown) and apply nothing; later rounds go on from the unchanged text."""
        diff = _diff(path, text, new_text)
        kept = tuple(replace(t, diff=diff) if t.verdict is Verdict.CHOSEN else t for t in trials)
        book.judge(fault, FixState.VERIFIED, HELD_BACK, kept, plan)

@dataclass(frozen=True)
class _Step:
    """A verified rewrite: the new source, what its probe saw, the faults it repaired."""

    text: str
    diagnosis: Diagnosis
    evidence: Evidence
    applied: tuple[Fault, ...]


def stop_place(evidence: Evidence) -> str | None:
    """Where the probed program stopped ("line N: Error: message"), or None when it ran to its
    end (or to the probe's clock)."""
    error = evidence.error
    if error is not None and error.type != "ProbeTimeout":
        return f"line {error.span.line}: {error.summary}" if error.span is not None else error.summary
    if evidence.exit_code not in (None, 0):
        return f"exit status {evidence.exit_code}"
    return None


class _Ledger:
    """The outcome of every fault seen while fixing one file, in the order they appeared.
    Faults are matched by code and message, since rewrites move lines. One per file: nothing
    carries over to the next file."""

    def __init__(self, faults: list[Fault]) -> None:
        self.order: list[Fault] = []
        self.states: dict[int, FaultOutcome] = {}
        for fault in faults:
            self._add(fault)

    def _add(self, fault: Fault) -> None:
        self.order.append(fault)
        self.states[len(self.order) - 1] = FaultOutcome(fault, FixState.NONE, "no rewrite for this case" if not fault.repairs else "")

    def _find(self, fault: Fault) -> int | None:
        for i, known in enumerate(self.order):
            done = self.states[i].state is FixState.VERIFIED and not self.states[i].held_back  # held back: still there
            if known is fault or (same_fault(known, fault) and not done):
                return i
        return None

    def judged(self, fault: Fault) -> bool:
        i = self._find(fault)
        return i is not None and self.states[i].state is not FixState.NONE

    def judge(self, fault: Fault, state: FixState, reason: str, trials: tuple[Trial, ...], chosen: Plan | None = None) -> None:
        i = self._find(fault)
        if i is None:
            self._add(fault)
            i = len(self.order) - 1
        self.states[i] = FaultOutcome(self.order[i], state, reason, trials, chosen)

    def after_step(self, before: Diagnosis, after: Diagnosis, applied: tuple[Fault, ...]) -> None:
        """Faults the step made disappear without being its target were repaired with it;
        faults it uncovered join the ledger."""
        for fault in before.faults:
            i = self._find(fault)
            if i is None or self.states[i].state is FixState.VERIFIED:
                continue
            if not any(same_fault(fault, other) for other in after.faults) and not any(fault is a for a in applied):
                target = applied[0]
                self.states[i] = FaultOutcome(self.order[i], FixState.VERIFIED, f"repaired with {target.code} at line {target.line}")
        for fault in after.faults:
            if self._find(fault) is None:
                self._add(fault)

    def outcomes(self) -> tuple[FaultOutcome, ...]:
        return tuple(self.states[i] for i in range(len(self.order)))


def _diff(path: Path, before: str, after: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{path.name}", f"b/{path.name}"))


def _stub_notes(evidence: Evidence) -> tuple[str, ...]:
    stopped: tuple[str, ...] = ()
    if evidence.error is not None and evidence.error.type == "ProbeTimeout":
        where = f" at line {evidence.error.span.line}" if evidence.error.span else ""
        stopped = (f"the program was still running at the probe's timeout{where}: what came after was not checked",)
    return evidence.notes + stopped + tuple(f"stubbed {item}" for item in evidence.stubbed)


def _replace(outcome: FileOutcome, **changes: object) -> FileOutcome:
    from dataclasses import replace

    return replace(outcome, **changes)  # type: ignore[arg-type]
