"""Outcomes rendered for people and machines: text, JSON, GitHub workflow annotations, SARIF.

Pure functions from outcomes to strings or JSON-ready data; the CLI decides where they go.
Columns are 1-based everywhere, as editors and GitHub expect.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphfix.ftypes import Fault, FaultOutcome, FileOutcome, FixState, Plan, ProbeStatus
from graphfix.patch import make_diff

if TYPE_CHECKING:
    from codemods.base import FaultRule

FORMATS = ("text", "json", "github", "sarif")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
HOMEPAGE = "https://github.com/graphfix/graphfix"


def tool_version() -> str:
    try:
        return version("graphfix")
    except PackageNotFoundError:
        return "0+unknown"


def location(path: str, fault: Fault) -> str:
    """`path:line:col`, or `nb.ipynb:cell N:line:col` for a notebook cell."""
    if fault.cell is not None:
        return f"{path}:cell {fault.cell}:{fault.line}:{fault.col}"
    return f"{path}:{fault.line}:{fault.col}"


def fix_suffix(item: FaultOutcome, written: bool) -> str:
    if item.held_back:
        return " [unsafe fix verified, held back: use --unsafe-fixes]"
    return {
        FixState.VERIFIED: " [fixed]" if written else " [fix verified]",
        FixState.UNVERIFIED: f" [fix not verified: {item.reason}]",
        FixState.FAILED: f" [no fix: {item.reason}]",
        FixState.NONE: " [no fix]",
        FixState.AMBIGUOUS: f" [not fixed: {item.reason}]",
    }[item.state]


def text_lines(outcome: FileOutcome, fix_mode: bool) -> list[str]:
    lines = []
    if outcome.error:
        lines.append(f"{outcome.path}: error: {outcome.error}")
    for item in outcome.faults:
        fault = item.fault
        suffix = fix_suffix(item, outcome.written) if fix_mode else ""
        lines.append(f"{location(outcome.path, fault)}: {fault.code} {fault.name}: {fault.message}{suffix}")
    if outcome.program_error:
        lines.append(f"{outcome.path}: {outcome.program_error}")
    lines.extend(f"{outcome.path}: error: rule {item.splitlines()[0]} raised: {item.splitlines()[-1]}" for item in outcome.rule_errors)
    lines.extend(f"{outcome.path}: note: {item}" for item in outcome.skipped)
    if fix_mode:
        for item in outcome.faults:
            if item.state is FixState.AMBIGUOUS:  # the user chooses: show each tied repair
                for trial in item.trials:
                    if trial.diff:
                        lines.append(f"{location(outcome.path, item.fault)}: {item.fault.code} candidate {trial.kind}:")
                        lines.extend(trial.diff.rstrip("\n").splitlines())
            if item.held_back:  # shown, not written: it changes a model's signature
                for trial in item.trials:
                    if trial.diff:
                        lines.append(f"{location(outcome.path, item.fault)}: {item.fault.code} unsafe fix {trial.kind} (held back):")
                        lines.extend(trial.diff.rstrip("\n").splitlines())
    return lines


def trial_lines(outcome: FileOutcome) -> list[str]:
    """For `--verbose`: every candidate repair tried per fault, and why it won or lost."""
    lines = []
    for item in outcome.faults:
        for number, trial in enumerate(item.trials, start=1):
            reason = f": {trial.reason}" if trial.reason else ""
            lines.append(
                f"{location(outcome.path, item.fault)}: {item.fault.code} candidate {number} "
                f"[{trial.verdict.value}] {trial.plan}{reason}"
            )
    return lines


def summary_line(outcomes: list[FileOutcome]) -> str:
    fixed = sum(1 for o in outcomes if o.fixed is not None)
    remaining = sum(1 for o in outcomes for f in o.faults if f.state is not FixState.VERIFIED)
    held = sum(1 for o in outcomes for f in o.faults if f.held_back)
    errors = sum(1 for o in outcomes if o.error)
    files = "1 file" if len(outcomes) == 1 else f"{len(outcomes)} files"
    unsafe = f", {held} unsafe {'fix' if held == 1 else 'fixes'} held back (--unsafe-fixes applies them)" if held else ""
    stopped = sum(1 for o in outcomes if stopped_before_model(o))
    before = f", {stopped} stopped before any model was seen" if stopped else ""
    return f"{files}: {fixed} fixed, {remaining} faults remain{unsafe}, {errors} could not be handled{before}"


def run_status(outcome: FileOutcome) -> str:
    """What a fix run did for the program (the tree report): "runs now", "runs further, stops at
    X", "unchanged, stops at X", "runs" (unchanged and fine) or "could not be handled"."""
    if outcome.error:
        return "could not be handled"
    if outcome.fixed is not None:
        return f"runs further, stops at {outcome.stops_at}" if outcome.stops_at else "runs now"
    return f"unchanged, stops at {outcome.stops_at}" if outcome.stops_at else "runs"


def tree_lines(outcomes: list[FileOutcome]) -> list[str]:
    """A fix run over a tree, for a migrating team: each program's status, the fixes per code,
    and the programs that still stop with where and why (the fault graphfix reports there)."""
    lines = [f"{o.path}: {run_status(o)}" for o in outcomes]
    statuses = [run_status(o).split(",")[0] for o in outcomes]
    order = ("runs now", "runs further", "runs", "unchanged", "could not be handled")
    lines.append("programs: " + ", ".join(f"{statuses.count(s)} {s}" for s in order if s in statuses))
    fixed = [(code, name, fixes) for code, name, _, fixes in _counts(outcomes, fix_mode=True) if fixes]
    if fixed:
        lines.append("fixes by code: " + ", ".join(f"{code} {name} {fixes}" for code, name, fixes in fixed))
    for outcome in outcomes:
        if not outcome.stops_at:
            continue
        unfixed = [
            item for item in outcome.faults
            if item.state is not FixState.VERIFIED and (item.fault.explains_error or outcome.stops_at.startswith(f"line {item.fault.line}:"))
        ]
        why = f" ({unfixed[0].fault.code}: {unfixed[0].fault.message})" if unfixed else " (no known fault)"
        lines.append(f"still stops: {outcome.path} at {outcome.stops_at}{why}")
    return lines


def stopped_before_model(outcome: FileOutcome) -> bool:
    """The program was probed but stopped (raised, exited, timed out, crashed) before it built
    a model or called a layer: none of its model code was checked."""
    evidence = outcome.evidence
    if evidence is None:  # fix keeps no evidence of a probe that timed out or crashed
        return bool(outcome.error) and str(outcome.error).startswith(("probe timed out", "program crashed"))
    if evidence.models or evidence.calls or evidence.sequentials:
        return False
    return evidence.status is not ProbeStatus.OK or evidence.exit_code not in (None, 0)


def _counts(outcomes: list[FileOutcome], fix_mode: bool) -> list[tuple[str, str, int, int]]:
    """(code, name, faults, fixes) per code, most frequent first; a fix is a verified one that
    was applied (fix mode) or a rewrite the rule proposes (check)."""
    table: dict[str, list[Any]] = {}
    for outcome in outcomes:
        for item in outcome.faults:
            row = table.setdefault(item.fault.code, [item.fault.name, 0, 0])
            row[1] += 1
            fixed = item.state is FixState.VERIFIED and not item.held_back if fix_mode else item.fault.fixable
            row[2] += int(fixed)
    rows = [(code, name, count, fixes) for code, (name, count, fixes) in table.items()]
    return sorted(rows, key=lambda r: (-r[2], r[0]))


def statistics_lines(outcomes: list[FileOutcome], fix_mode: bool) -> list[str]:
    """`--statistics`: `count  CODE  [*] name` per code ([*]: every one has a fix), then a total."""
    rows = _counts(outcomes, fix_mode)
    lines = [f"{count:>5}  {code}  {'[*]' if fixes == count else '[ ]'} {name}" for code, name, count, fixes in rows]
    total = sum(r[2] for r in rows)
    lines.append(f"Found {total} {'fault' if total == 1 else 'faults'}" + (f" in {len(outcomes)} files." if len(outcomes) != 1 else "."))
    return lines


def statistics_json(outcomes: list[FileOutcome], fix_mode: bool) -> list[dict[str, Any]]:
    return [
        {"code": code, "name": name, "count": count, "fixes": fixes}
        for code, name, count, fixes in _counts(outcomes, fix_mode)
    ]


def fixes_lines(outcomes: list[FileOutcome], written: bool) -> list[str]:
    """`--show-fixes`: the fixes per file and code, then those held back as unsafe."""
    lines: list[str] = []
    for title, wanted in (
        ("Fixed" if written else "Verified fixes (not written; --apply writes them) for", lambda f: f.state is FixState.VERIFIED and not f.held_back),
        ("Held back (unsafe: --unsafe-fixes applies them) for", lambda f: f.held_back),
    ):
        per_file = {o.path: [f for f in o.faults if wanted(f)] for o in outcomes}
        total = sum(len(items) for items in per_file.values())
        if not total:
            continue
        lines.append(f"{title} {total} {'fault' if total == 1 else 'faults'}:")
        for path, items in per_file.items():
            if not items:
                continue
            lines.append(f"- {path}:")
            codes: dict[tuple[str, str], int] = {}
            for item in items:
                codes[(item.fault.code, item.fault.name)] = codes.get((item.fault.code, item.fault.name), 0) + 1
            lines.extend(f"    {n} × {code} ({name})" for (code, name), n in sorted(codes.items()))
    if not lines:
        lines.append("No fixes available." if written else "No verified fixes.")
    return lines


def plan_safety(rule: FaultRule) -> tuple[list[str], list[str]]:
    """The repair kinds a rule's module declares: (safe, unsafe), for `graphfix explain`."""
    module = sys.modules.get(type(rule).__module__)
    plans = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, Plan) and value is not Plan and value.__module__ == type(rule).__module__
    ] if module is not None else []
    kinds = [(re.sub(r"(?<!^)(?=[A-Z])", "-", plan.__name__).lower(), plan.unsafe) for plan in plans]
    return [k for k, unsafe in kinds if not unsafe], [k for k, unsafe in kinds if unsafe]


def as_json(outcome: FileOutcome) -> dict[str, Any]:
    return {
        "path": outcome.path,
        "faults": [
            {
                "code": item.fault.code,
                "name": item.fault.name,
                "line": item.fault.line,
                "col": item.fault.col,
                "cell": item.fault.cell,
                "message": item.fault.message,
                "fix_available": item.fault.fixable,
                "fix_verified": item.state is FixState.VERIFIED,
                "fix_state": item.state.value,
                "fix_safe": None if item.chosen is None else item.chosen.safe,
                "held_back": item.held_back,
                "reason": item.reason,
                "candidates": list(item.fault.candidates),
                "repairs": [
                    {"kind": t.kind, "plan": t.plan, "verdict": t.verdict.value, "reason": t.reason, "diff": t.diff}
                    for t in item.trials
                ],
            }
            for item in outcome.faults
        ],
        "error": outcome.error,
        "program_error": outcome.program_error,
        "fixed": outcome.fixed is not None,
        "written": outcome.written,
        "notes": list(outcome.notes),
        "rule_errors": list(outcome.rule_errors),
        "skipped": list(outcome.skipped),
        "diff": outcome_diff(outcome),
    }


def outcome_diff(outcome: FileOutcome, text: str | None = None) -> str:
    """The unified diff of the verified fix (or of `text`), by cell for a notebook."""
    after = outcome.fixed if text is None else text
    if outcome.original is None or after is None:
        return ""
    if outcome.path.endswith(".ipynb"):
        from graphfix.notebook import cell_diff  # nbformat: only for notebooks

        return cell_diff(outcome.path, outcome.original, after)
    return make_diff(outcome.path, outcome.original, after)


# -- GitHub workflow commands ------------------------------------------------------------------


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_lines(outcome: FileOutcome, fix_mode: bool) -> list[str]:
    """`::error file=...,line=...,col=...,title=...::message` annotations for a workflow log."""
    path = _escape_property(outcome.path)
    lines = []
    if outcome.error:
        lines.append(f"::error file={path},title={_escape_property('graphfix could not check this file')}::{_escape_data(outcome.error)}")
    for item in outcome.faults:
        fault = item.fault
        title = _escape_property(f"{fault.code} {fault.name}")
        message = fault.message + (fix_suffix(item, outcome.written) if fix_mode else "")
        if fault.cell is not None:
            message = f"cell {fault.cell}, line {fault.line}: {message}"
            lines.append(f"::error file={path},title={title}::{_escape_data(message)}")
        else:
            lines.append(f"::error file={path},line={fault.line},col={fault.col},title={title}::{_escape_data(message)}")
    if outcome.program_error:
        lines.append(f"::warning file={path},title={_escape_property('program failed')}::{_escape_data(outcome.program_error)}")
    return lines


# -- SARIF 2.1.0 ---------------------------------------------------------------------------------


def sarif(outcomes: list[FileOutcome], rules: Mapping[str, FaultRule], root: Path | None = None) -> dict[str, Any]:
    """One SARIF run: every known rule in the driver, one result per fault, a notification per
    file that could not be checked. URIs are relative to `root` (default: the working
    directory) under `%SRCROOT%`, as code-scanning uploads expect."""
    base = (root or Path.cwd()).resolve()
    ordered = list(rules.values())
    index = {rule.code: i for i, rule in enumerate(ordered)}
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for outcome in outcomes:
        artifact = _artifact(outcome.path, base)
        for item in outcome.faults:
            results.append(_sarif_result(item, artifact, index, outcome.written))
        if outcome.error:
            notifications.append(
                {"level": "error", "message": {"text": outcome.error}, "locations": [{"physicalLocation": {"artifactLocation": artifact}}]}
            )
        if outcome.program_error:
            notifications.append(
                {"level": "warning", "message": {"text": outcome.program_error}, "locations": [{"physicalLocation": {"artifactLocation": artifact}}]}
            )
    invocation: dict[str, Any] = {"executionSuccessful": not any(o.error for o in outcomes)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "graphfix",
                        "version": tool_version(),
                        "informationUri": HOMEPAGE,
                        "rules": [_sarif_rule(rule) for rule in ordered],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri() + "/"}},
                "invocations": [invocation],
                "results": results,
            }
        ],
    }


def _artifact(path: str, base: Path) -> dict[str, Any]:
    absolute = Path(os.path.abspath(path))
    try:
        return {"uri": absolute.relative_to(base).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": absolute.as_uri()}


def _sarif_rule(rule: FaultRule) -> dict[str, Any]:
    doc = rule.documentation().split("\n", 1)[-1].strip()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc.split("\n\n", 1)[0].replace("\n", " ")},
        "help": {"text": doc},
        "helpUri": f"{HOMEPAGE}#{rule.code.lower()}",
        "defaultConfiguration": {"level": "error"},
    }


def _sarif_result(item: FaultOutcome, artifact: dict[str, Any], index: dict[str, int], written: bool) -> dict[str, Any]:
    fault = item.fault
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if fault.cell is None:  # a notebook cell's line is not a line of the .ipynb file
        physical["region"] = {"startLine": fault.line, "startColumn": max(1, fault.col)}
    result: dict[str, Any] = {
        "ruleId": fault.code,
        "level": "error",
        "message": {"text": f"{fault.name}: {fault.message}"},
        "locations": [{"physicalLocation": physical}],
        "properties": {"fixState": item.state.value, "fixWritten": written and item.state is FixState.VERIFIED},
    }
    if fault.code in index:
        result["ruleIndex"] = index[fault.code]
    if fault.cell is not None:
        result["properties"]["cell"] = fault.cell
        result["message"]["text"] = f"cell {fault.cell}: " + result["message"]["text"]
    if item.reason:
        result["properties"]["reason"] = item.reason
    return result
