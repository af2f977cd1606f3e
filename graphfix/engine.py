"""The pipeline for one file: probe, diagnose, fix in rounds, verify by re-probing.

This is the boundary where failures become data: a rule or codemod that raises, a probe that
times out or crashes, a file that cannot be read, all end up in the `FileOutcome` with a reason.
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from codemods.base import FaultRule, Skip
from graphfix.config import ConfigError, suppressed, suppressions
from graphfix.files import SourceError, SourceFile, read_source, restore_original, virtual_source, write_atomic
from graphfix.ftypes import Evidence, Fault, FaultOutcome, FileOutcome, FixState, ProbeStatus
from graphfix.probe import ProbeError, ProbeRequest, Worker, detect_flavor
from graphfix.source import SourceIndex, imports_keras

MAX_ROUNDS = 12  # one round per statement for faults that stop the program one at a time


@dataclass
class Options:
    python: str = sys.executable
    entry: str | None = None
    timeout: float = 60.0
    flavor: str | None = None  # None: detect from the environment and the program
    backup: bool = False
    stubs: bool = True
    memory_bytes: int | None = None
    cpu_seconds: int | None = None
    run: bool = True  # False: static detection only, nothing is executed
    gpu: bool = False  # let probes see GPUs
    select: frozenset[str] | None = None  # fault codes to report (None: all)
    ignore: frozenset[str] = frozenset()  # fault codes never reported nor fixed


@dataclass
class Diagnosis:
    faults: list[Fault]
    program_error: str | None = None  # a failure no rule explains
    error: str | None = None  # the probe could not judge the program


@dataclass
class Engine:
    rules: dict[str, FaultRule]
    options: Options = field(default_factory=Options)
    _workers: dict[str, Worker] = field(default_factory=dict)

    def close(self) -> None:
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()

    def worker(self, flavor: str) -> Worker:
        if flavor not in self._workers:
            self._workers[flavor] = Worker(python=self.options.python, flavor=flavor, gpu=self.options.gpu)
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
            return Diagnosis([], error=f"probe timed out after {self.options.timeout:g} s")
        if evidence.status is ProbeStatus.CRASHED:
            return Diagnosis([], error=f"program crashed: {evidence.detail}")
        index = SourceIndex(text)
        faults: list[Fault] = []
        seen: set[tuple[str, int, int, str]] = set()
        for rule in self.rules.values():
            for fault in rule.detect(evidence, index):
                key = (fault.code, fault.line, fault.col, fault.message)
                if key not in seen:  # a builder run twice reports the same fault twice
                    seen.add(key)
                    faults.append(fault)
        faults = self._chosen(faults, text)
        faults.sort(key=lambda f: (f.line, f.col, f.code))
        program_error = None
        if evidence.error is not None:
            error_line = evidence.error.span.line if evidence.error.span else None
            if not any(f.line == error_line or f.explains_error for f in faults):
                where = f" (line {error_line})" if error_line else ""
                program_error = f"the program failed{where}: {evidence.error.summary}"
        elif evidence.exit_code not in (None, 0):
            program_error = f"the program exited with status {evidence.exit_code}"
        return Diagnosis(faults, program_error=program_error)

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
            if fault.fix is not None:
                state, reason = FixState.UNVERIFIED, "found without running: not verified"
                if rewrite:
                    try:
                        text = self.rules[fault.fix.codemod].transform(SourceIndex(text), fault.fix.params)
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
            from graphfix.notebook import process

            return process(self, path, operation)
        if operation == "check":
            return self.check(path)
        return self.fix(path, apply=operation == "apply")

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
            faults=tuple(FaultOutcome(f, FixState.NONE if f.fix is None else FixState.UNVERIFIED) for f in diagnosis.faults),
            original=source.text,
            error=diagnosis.error,
            program_error=diagnosis.program_error,
            notes=_stub_notes(evidence),
            evidence=evidence,
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
            outcome = self._write(source, outcome)
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

    def _write(self, source: SourceFile, outcome: FileOutcome) -> FileOutcome:
        assert outcome.fixed is not None
        try:
            write_atomic(source, outcome.fixed, backup=self.options.backup)
        except (SourceError, OSError) as exc:
            return _replace(outcome, error=f"not written: {exc}")
        return _replace(outcome, written=True)

    def _fix_rounds(self, path: Path, source: SourceFile) -> FileOutcome:
        text = source.text
        evidence = self.probe(path, text)
        self._guard(source)
        diagnosis = self.diagnose(evidence, text)
        if diagnosis.error is not None:
            return FileOutcome(str(path), original=text, error=diagnosis.error)
        states: dict[int, FaultOutcome] = {}
        order: list[Fault] = []
        for fault in diagnosis.faults:
            order.append(fault)
            states[id(fault)] = FaultOutcome(fault, FixState.NONE, "no rewrite for this case")
        unverified: str | None = None
        current = diagnosis
        current_evidence = evidence
        for _ in range(MAX_ROUNDS):
            fixable = [f for f in current.faults if f.fix is not None]
            if not fixable:
                break
            attempt = self._attempt(path, source, text, current, current_evidence, fixable, states)
            if attempt is None and len(fixable) > 1:
                # isolate: one fault per round so one bad rewrite does not sink the others
                for single in fixable:
                    attempt = self._attempt(path, source, text, current, current_evidence, [single], states)
                    if attempt is not None:
                        break
            if attempt is None:
                unverified = self._last_unverified
                break
            text, current, current_evidence = attempt
            for fault in current.faults:
                if not any(_same(fault, f) for f in order if states[id(f)].state is not FixState.VERIFIED):
                    order.append(fault)
                    states[id(fault)] = FaultOutcome(fault, FixState.NONE, "no rewrite for this case")
        remaining_error = current.program_error
        return FileOutcome(
            str(path),
            faults=tuple(states[id(f)] for f in order),
            original=source.text,
            fixed=text if text != source.text else None,
            unverified=unverified,
            program_error=remaining_error,
            notes=_stub_notes(evidence),
            evidence=evidence,
        )

    _last_unverified: str | None = None

    def _attempt(
        self,
        path: Path,
        source: SourceFile,
        text: str,
        before: Diagnosis,
        before_evidence: Evidence,
        faults: list[Fault],
        states: dict[int, FaultOutcome],
    ) -> tuple[str, Diagnosis, Evidence] | None:
        """Apply the fixes (bottom of the file first, so earlier spans stay valid) and verify."""
        new_text = text
        applied: list[Fault] = []
        for fault in sorted(faults, key=lambda f: -f.line):
            assert fault.fix is not None
            rule = self.rules[fault.fix.codemod]
            try:
                new_text = rule.transform(SourceIndex(new_text), fault.fix.params)
                SourceIndex(new_text)  # the rewrite must parse
                applied.append(fault)
            except Skip as exc:
                self._set(states, fault, FaultOutcome(fault, FixState.FAILED, str(exc)))
            except Exception as exc:
                self._set(states, fault, FaultOutcome(fault, FixState.FAILED, f"rewrite failed: {type(exc).__name__}: {exc}"))
        if not applied or new_text == text:
            return None
        evidence = self.probe(path, new_text)
        self._guard(source)
        after = self.diagnose(evidence, new_text)
        shift = new_text.count("\n") - text.count("\n")
        reason = _verification_problem(before, before_evidence, after, evidence, applied, shift)
        if reason is not None:
            self._last_unverified = new_text
            for fault in applied:
                self._set(states, fault, FaultOutcome(fault, FixState.UNVERIFIED, reason))
            return None
        for fault in applied:
            self._set(states, fault, FaultOutcome(fault, FixState.VERIFIED))
        return new_text, after, evidence

    @staticmethod
    def _set(states: dict[int, FaultOutcome], fault: Fault, outcome: FaultOutcome) -> None:
        for key, existing in states.items():
            if existing.fault is fault or _same(existing.fault, fault):
                states[key] = FaultOutcome(existing.fault, outcome.state, outcome.reason)
                return


def _stub_notes(evidence: Evidence) -> tuple[str, ...]:
    return evidence.notes + tuple(f"stubbed {item}" for item in evidence.stubbed)


def _same(a: Fault, b: Fault) -> bool:
    return a.code == b.code and a.message == b.message


def _verification_problem(
    before: Diagnosis, before_evidence: Evidence, after: Diagnosis, after_evidence: Evidence, applied: list[Fault], line_shift: int
) -> str | None:
    """Why the re-probe does not confirm the fixes, or None when it does.

    Faults are matched by code and message (lines move when a rewrite adds or removes lines).
    A program that stopped at a fault hid everything after it: faults or failures that appear
    only once it runs further were unreachable before, not introduced by the rewrite.
    """
    if after.error is not None:
        return f"re-probe failed: {after.error}"
    for fault in applied:
        if any(_same(fault, other) for other in after.faults):
            return f"re-probe still finds {fault.code}: {fault.message}"
    stopped_early = before_evidence.error is not None
    new = [f for f in after.faults if not any(_same(f, old) for old in before.faults)]
    if new and not stopped_early:
        return f"re-probe finds a new fault {new[0].code} at line {new[0].line}"
    if after.program_error is not None and after.program_error != before.program_error:
        if not stopped_early:
            return f"the fixed program fails: {after.program_error}"
        old = before_evidence.error.span if before_evidence.error is not None else None
        new_error = after_evidence.error.span if after_evidence.error is not None else None
        if old is None or new_error is None or new_error.line <= old.line + max(0, line_shift):
            return f"the fixed program fails: {after.program_error}"
    return None


def _replace(outcome: FileOutcome, **changes: object) -> FileOutcome:
    from dataclasses import replace

    return replace(outcome, **changes)  # type: ignore[arg-type]
