"""The corpus: whole broken programs with their expected fixes, run end to end.

Layout: ``corpus/<CODE>/<case>/program.py`` (broken), ``expected.py`` (the fix graphfix must
produce) and ``case.toml`` (``flavors``, optional ``entry = "program:function"``);
``corpus/clean/<case>/`` holds correct look-alikes (``clean = true``) that must come back with no
fault and no diff. `python -m graphfix.corpus` prints the evaluation table (`make eval`).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import tomllib

from graphfix.engine import Engine, Options
from graphfix.ftypes import FixState
from graphfix.registry import discover

ROOT = Path(__file__).resolve().parent.parent / "corpus"


@dataclass(frozen=True)
class Case:
    code: str  # "clean" for look-alikes
    name: str
    directory: Path
    flavors: tuple[str, ...]
    entry: str | None
    clean: bool

    @property
    def id(self) -> str:
        return f"{self.code}/{self.name}"


@dataclass(frozen=True)
class CaseResult:
    case: Case
    flavor: str
    detected: bool
    fixed_as_expected: bool
    verified: bool
    clean_after: bool  # the fixed program runs and re-probes clean
    stable: bool  # a second fix pass changes nothing
    false_positive: bool
    detail: str

    @property
    def passed(self) -> bool:
        if self.case.clean:
            return not self.false_positive
        return self.detected and self.fixed_as_expected and self.verified and self.clean_after and self.stable


def load_cases(root: Path = ROOT) -> list[Case]:
    cases = []
    for config in sorted(root.glob("*/*/case.toml")):
        data = tomllib.loads(config.read_text())
        directory = config.parent
        cases.append(
            Case(
                code=directory.parent.name,
                name=directory.name,
                directory=directory,
                flavors=tuple(data.get("flavors", ["keras3", "tf_keras"])),
                entry=data.get("entry"),
                clean=bool(data.get("clean", False)),
            )
        )
    return cases


def run_case(engine: Engine, case: Case, flavor: str, workdir: Path) -> CaseResult:
    """Copy the case to `workdir`, fix it under `flavor`, and check everything the corpus promises."""
    target = workdir / "program.py"
    shutil.copyfile(case.directory / "program.py", target)
    # a view of the engine with the case's settings, sharing its warm workers: the engine itself
    # is left as it was (a test session shares one engine between the corpus and other tests)
    engine = replace(engine, options=replace(engine.options, entry=case.entry, unsafe_fixes=True, flavor=flavor))
    outcome = engine.fix(target)
    codes = {f.fault.code for f in outcome.faults}
    if case.clean:
        problem = outcome.error or outcome.program_error or ("faults: " + ", ".join(sorted(codes)) if codes else "") or (
            "a diff" if outcome.fixed else ""
        )
        return CaseResult(case, flavor, False, True, True, not problem, True, bool(problem), problem)
    expected = (case.directory / "expected.py").read_text()
    detected = case.code in codes
    fixed_as_expected = outcome.fixed == expected
    verified = detected and all(f.state is FixState.VERIFIED for f in outcome.faults if f.fault.code == case.code)
    clean_after = stable = False
    detail = outcome.error or ""
    if not detail and not verified:
        detail = "; ".join(f"{f.fault.code} {f.state.value}: {f.reason or f.fault.message}" for f in outcome.faults) or "not detected"
    if outcome.fixed is not None:
        target.write_text(outcome.fixed)
        recheck = engine.check(target)
        clean_after = not (recheck.faults or recheck.error or recheck.program_error)
        if not clean_after:
            detail = detail or f"after the fix: {recheck.error or recheck.program_error or [f.fault.code for f in recheck.faults]}"
        stable = engine.fix(target).fixed is None
    if outcome.fixed is not None and not fixed_as_expected and not detail:
        detail = "the fix differs from expected.py"
    return CaseResult(case, flavor, detected, fixed_as_expected, verified, clean_after, stable, False, detail)


def evaluate(root: Path = ROOT, python: str = sys.executable) -> list[CaseResult]:
    engine = Engine(discover(), Options(python=python, unsafe_fixes=True))  # every repair is measured
    results = []
    try:
        for case in load_cases(root):
            for flavor in case.flavors:
                with tempfile.TemporaryDirectory(prefix="graphfix-corpus-") as tmp:
                    results.append(run_case(engine, case, flavor, Path(tmp)))
    finally:
        engine.close()
    return results


def table(results: list[CaseResult]) -> str:
    rows: dict[tuple[str, str], list[CaseResult]] = defaultdict(list)
    for result in results:
        rows[(result.case.code, result.flavor)].append(result)
    lines = [
        "| code | flavour | cases | detected | fixed and verified | false positives |",
        "|---|---|---|---|---|---|",
    ]
    for (code, flavor), group in sorted(rows.items()):
        if code == "clean":
            lines.append(f"| clean look-alikes | {flavor} | {len(group)} | - | - | {sum(r.false_positive for r in group)} |")
        else:
            lines.append(
                f"| {code} | {flavor} | {len(group)} | {sum(r.detected for r in group)} | {sum(r.passed for r in group)} | - |"
            )
    return "\n".join(lines)


def main() -> int:
    results = evaluate()
    print(table(results))
    failures = [r for r in results if not r.passed]
    for result in failures:
        print(f"FAIL {result.case.id} [{result.flavor}]: {result.detail}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
