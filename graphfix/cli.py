"""The command line. The only module that prints: diffs to stdout, everything else to stderr."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

import codemods
from graphfix.engine import Options
from graphfix.files import python_files
from graphfix.ftypes import FileOutcome, FixState
from graphfix.patch import make_diff
from graphfix.runner import default_jobs, run_local, run_ray

CHECK_HELP = """Probe each program and report its graph faults.

\b
Exit codes:
  0  no fault found
  1  faults found (or the program failed for a reason graphfix does not know)
  2  could not check a file (unreadable, syntax error, timeout, crash, bad arguments)
"""

FIX_HELP = """Find faults, rewrite the source, and verify each rewrite by probing it again.

By default prints a unified diff of the verified fixes (--diff); --apply writes them.

\b
Exit codes:
  0  nothing left to fix
  1  faults remain (no rewrite, or a rewrite that did not verify)
  2  could not run on a file (unreadable, syntax error, timeout, crash, bad arguments)
"""


def _common(function: Any) -> Any:
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True),
        click.option("--python", "python", default=sys.executable, show_default="this interpreter", help="Interpreter that runs the probe."),
        click.option("--entry", default=None, metavar="MODULE:FUNCTION", help="Call this model-builder function instead of running the file as a script."),
        click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0.1), help="Seconds per probe."),
        click.option("--flavor", type=click.Choice(["keras3", "tf_keras"]), default=None, help="Keras flavour to probe under (default: detected)."),
        click.option("--no-stubs", is_flag=True, help="Run the program for real: real datasets, weights downloads, full training, network."),
        click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=6144, show_default=True, help="Memory (MiB) a probe may allocate beyond TensorFlow's own."),
        click.option("--cpu-limit", type=click.IntRange(min=1), default=None, help="CPU seconds per probe (default: 4 x timeout, at least 60)."),
        click.option("--no-run", is_flag=True, help="Do not run anything: static detection only (fewer faults, fixes unverified)."),
        click.option("-v", "--verbose", is_flag=True, help="Say what the probe stubbed and which files were skipped."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Files probed in parallel (default: the number of cores)."),
        click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True, help="Where files are processed; ray needs graphfix[ray]."),
        click.option("--ray-address", default=None, metavar="ADDRESS", help="Ray cluster to connect to (default: RAY_ADDRESS, else a local Ray)."),
        click.option("--gpu", is_flag=True, help="Let probes see GPUs (hidden by default: building a model needs none)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group()
@click.version_option(package_name="graphfix")
def main() -> None:
    """graphfix: find and repair broken TensorFlow/Keras computational graphs.

    Probing RUNS the program (in a child process). It is not a security sandbox.
    """


@main.command(help=CHECK_HELP)
@_common
def check(
    paths: tuple[Path, ...], output_format: str, verbose: bool, jobs: int | None, executor: str, ray_address: str | None, **settings: Any
) -> None:
    options = _options(paths, **settings)
    outcomes = _run(paths, options, "check", jobs, executor, ray_address)
    _report(outcomes, output_format, fix_mode=False, verbose=verbose)
    sys.exit(_check_status(outcomes))


@main.command(help=FIX_HELP)
@_common
@click.option("--diff/--apply", "diff", default=True, help="Show the verified fixes as a diff (default), or write them.")
@click.option("--unverified", is_flag=True, help="Also show a rewrite that did not verify, labelled as such (never written).")
@click.option("--backup", is_flag=True, help="With --apply, keep the original as FILE.orig.")
def fix(
    paths: tuple[Path, ...],
    output_format: str,
    verbose: bool,
    diff: bool,
    unverified: bool,
    backup: bool,
    jobs: int | None,
    executor: str,
    ray_address: str | None,
    **settings: Any,
) -> None:
    options = _options(paths, **settings)
    options.backup = backup
    outcomes = _run(paths, options, "fix" if diff else "apply", jobs, executor, ray_address)
    if output_format == "text" and diff:
        for outcome in outcomes:
            _print_diff(outcome, unverified)
    _report(outcomes, output_format, fix_mode=True, verbose=verbose)
    sys.exit(_fix_status(outcomes))


@main.command()
def rules() -> None:
    """List the fault codes graphfix knows, one line each."""
    for rule in codemods.load().values():
        click.echo(f"{rule.code} {rule.name}: {rule.summary}")


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Show a fault's documentation and its rewrite examples."""
    registry = codemods.load()
    rule = registry.get(code.upper())
    if rule is None:
        raise click.UsageError(f"unknown fault code {code!r}; see `graphfix rules`")
    click.echo(f"{rule.code} {rule.name}\n")
    click.echo(rule.documentation().split("\n", 1)[-1].strip())
    for example in type(rule).EXAMPLES:
        click.echo("\nBefore:\n" + _indent(example.before) + "After:\n" + _indent(example.after or example.before))


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.splitlines())


def _validate_entry(entry: str | None, paths: tuple[Path, ...]) -> None:
    if entry is None:
        return
    module, sep, function = entry.partition(":")
    if not sep or not module or not function.isidentifier():
        raise click.BadParameter("expected MODULE:FUNCTION", param_hint="--entry")
    if len(paths) != 1 or not paths[0].is_file():
        raise click.BadParameter("--entry takes exactly one file", param_hint="--entry")


def _run(
    paths: tuple[Path, ...], options: Options, operation: str, jobs: int | None, executor: str, ray_address: str | None
) -> list[FileOutcome]:
    files = [path for target in paths for path in python_files(target)]
    workers = jobs or default_jobs()
    with _progress(len(files)) as progress:
        if executor == "ray":
            try:
                return run_ray(files, options, operation, workers, ray_address, progress)
            except RuntimeError as exc:
                raise click.UsageError(str(exc)) from None
        return run_local(files, options, operation, workers, progress)


class _progress:
    """A one-line progress display on stderr for trees, only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = self.faults = self.verified = 0
        self.started = time.monotonic()
        self.enabled = total > 1 and sys.stderr.isatty()

    def __enter__(self) -> _progress | None:
        return self if self.enabled else None

    def __call__(self, outcome: FileOutcome) -> None:
        self.done += 1
        self.faults += len(outcome.faults)
        self.verified += sum(1 for f in outcome.faults if f.state is FixState.VERIFIED)
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        sys.stderr.write(
            f"\r{self.done}/{self.total} files, {self.faults} faults, {self.verified} fixes verified, {rate:.1f} files/s"
        )
        sys.stderr.flush()

    def __exit__(self, *exc: object) -> None:
        if self.enabled and self.done:
            sys.stderr.write("\n")


def _options(
    paths: tuple[Path, ...],
    python: str,
    entry: str | None,
    timeout: float,
    flavor: str | None,
    no_stubs: bool,
    memory_mb: int,
    cpu_limit: int | None,
    no_run: bool,
    gpu: bool,
) -> Options:
    _validate_entry(entry, paths)
    options = Options(
        python=python,
        entry=entry,
        timeout=timeout,
        flavor=flavor,
        stubs=not no_stubs,
        memory_bytes=memory_mb * 1024 * 1024,
        cpu_seconds=cpu_limit,
        run=not no_run,
        gpu=gpu,
    )
    return options


def _print_diff(outcome: FileOutcome, unverified: bool) -> None:
    if outcome.original is None:
        return
    if outcome.fixed is not None:
        click.echo(make_diff(outcome.path, outcome.original, outcome.fixed), nl=False)
    elif unverified and outcome.unverified is not None:
        click.echo(f"# UNVERIFIED rewrite of {outcome.path}: not confirmed by a re-probe")
        click.echo(make_diff(outcome.path, outcome.original, outcome.unverified), nl=False)


def _report(outcomes: list[FileOutcome], output_format: str, fix_mode: bool, verbose: bool) -> None:
    if output_format == "json":
        click.echo(json.dumps([_as_json(o) for o in outcomes], indent=2))
        return
    for outcome in outcomes:
        for line in _text_lines(outcome, fix_mode):
            click.echo(line, err=True)
        if verbose:
            for note in outcome.notes:
                click.echo(f"{outcome.path}: note: {note}", err=True)
    if fix_mode and len(outcomes) > 1:
        fixed = sum(1 for o in outcomes if o.fixed is not None)
        remaining = sum(1 for o in outcomes for f in o.faults if f.state is not FixState.VERIFIED)
        errors = sum(1 for o in outcomes if o.error)
        click.echo(f"{len(outcomes)} files: {fixed} fixed, {remaining} faults remain, {errors} could not be handled", err=True)


def _text_lines(outcome: FileOutcome, fix_mode: bool) -> list[str]:
    lines = []
    if outcome.error:
        lines.append(f"{outcome.path}: error: {outcome.error}")
    for item in outcome.faults:
        fault = item.fault
        suffix = ""
        if fix_mode:
            suffix = {
                FixState.VERIFIED: " [fixed]" if outcome.written else " [fix verified]",
                FixState.UNVERIFIED: f" [fix not verified: {item.reason}]",
                FixState.FAILED: f" [no fix: {item.reason}]",
                FixState.NONE: " [no fix]",
            }[item.state]
        lines.append(f"{outcome.path}:{fault.line}:{fault.col}: {fault.code} {fault.name}: {fault.message}{suffix}")
    if outcome.program_error:
        lines.append(f"{outcome.path}: {outcome.program_error}")
    return lines


def _as_json(outcome: FileOutcome) -> dict[str, Any]:
    return {
        "path": outcome.path,
        "faults": [
            {
                "code": item.fault.code,
                "name": item.fault.name,
                "line": item.fault.line,
                "col": item.fault.col,
                "message": item.fault.message,
                "fix_available": item.fault.fix is not None,
                "fix_verified": item.state is FixState.VERIFIED,
                "fix_state": item.state.value,
                "reason": item.reason,
                "candidates": list(item.fault.candidates),
            }
            for item in outcome.faults
        ],
        "error": outcome.error,
        "program_error": outcome.program_error,
        "fixed": outcome.fixed is not None,
        "written": outcome.written,
        "notes": list(outcome.notes),
        "diff": make_diff(outcome.path, outcome.original, outcome.fixed) if outcome.original is not None and outcome.fixed is not None else "",
    }


def _check_status(outcomes: list[FileOutcome]) -> int:
    if any(o.error for o in outcomes):
        return 2
    if any(o.faults or o.program_error for o in outcomes):
        return 1
    return 0


def _fix_status(outcomes: list[FileOutcome]) -> int:
    if any(o.error for o in outcomes):
        return 2
    if any(f.state is not FixState.VERIFIED for o in outcomes for f in o.faults) or any(o.program_error for o in outcomes):
        return 1
    return 0


if __name__ == "__main__":
    main()
