"""The command line. The only module that prints: diffs to stdout, everything else to stderr."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# Only light modules here: a command served from the result cache never loads the engine, libcst,
# nbformat or the rules (they are imported where a file is really probed or a rule is needed).
from graphfix.cache import ResultCache, default_directory
from graphfix.config import ConfigError, expand_codes, load_config, resolve_python
from graphfix.files import python_files
from graphfix.ftypes import FileOutcome, FixState
from graphfix.options import Options
from graphfix.report import (
    FORMATS,
    as_json,
    fixes_lines,
    github_lines,
    outcome_diff,
    plan_safety,
    sarif,
    statistics_json,
    statistics_lines,
    summary_line,
    text_lines,
    tree_lines,
    trial_lines,
)
from graphfix.runner import default_jobs, run_file, run_local
from graphfix.targets import FLAVOURS, TARGETS, run_both

if TYPE_CHECKING:
    from graphfix.engine import Engine
    from graphfix.registry import Registry


CHECK_HELP = """Probe each program and report its graph faults.

\b
Exit codes:
  0  no fault found (or --exit-zero)
  1  faults found (or the program failed for a reason graphfix does not know)
  2  could not check a file (unreadable, syntax error, timeout, crash, bad arguments)
"""

FIX_HELP = """Find faults, rewrite the source, and verify each rewrite by probing it again.

By default prints a unified diff of the verified safe fixes (--diff); --apply writes them.
A fix that changes a model's signature (adds an Input, changes outputs, moves weights) is
unsafe: shown and held back unless --unsafe-fixes.

\b
Exit codes:
  0  nothing left to fix (or --exit-zero)
  1  faults remain (no rewrite, one that did not verify, or an unsafe fix held back);
     with --exit-non-zero-on-fix, also when a fix was written (--apply) or shown (--diff)
  2  could not run on a file (unreadable, syntax error, timeout, crash, bad arguments)
"""


def _common(function: Any) -> Any:
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True, help="text: path:line:col lines; github: workflow annotations; sarif: SARIF 2.1.0 on stdout."),
        click.option("--stdin-filename", type=click.Path(path_type=Path), default=None, metavar="PATH", help="With the path -, the file the source on stdin is probed as (for editors)."),
        click.option("--select", default=None, metavar="CODES", help="Comma-separated codes or prefixes to report (default: all, or [tool.graphfix] select)."),
        click.option("--ignore", default=None, metavar="CODES", help="Comma-separated codes or prefixes never reported nor fixed."),
        click.option("--python", "python", default=None, help="Interpreter that runs the probe (default: [tool.graphfix] python, this interpreter if it has TensorFlow, else a .venv found upward)."),
        click.option("--entry", default=None, metavar="MODULE:FUNCTION", help="Call this model-builder function instead of running the file as a script."),
        click.option("--timeout", default=None, type=click.FloatRange(min=0.1), help="Seconds per probe (default: 60)."),
        click.option("--flavor", type=click.Choice(["keras3", "tf_keras"]), default=None, help="Keras flavour to probe under (default: detected)."),
        click.option("--target", type=click.Choice(TARGETS), default=None, help="The Keras the code must work under: probe, fix and verify under it; both: a fix must verify under keras3 and tf_keras alike."),
        click.option("--extend-exclude", multiple=True, metavar="PATTERNS", help="Comma-separated globs excluded on top of [tool.graphfix] exclude (repeatable)."),
        click.option("--force-exclude", is_flag=True, help="Apply the excludes to files named on the command line too (for pre-commit, which names every file)."),
        click.option("--respect-gitignore/--no-respect-gitignore", default=True, show_default=True, help="Leave out what .gitignore (and .git/info/exclude) ignores when walking a directory."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when faults are found or remain (2 still means a file could not be handled)."),
        click.option("--statistics", is_flag=True, help="Print one line per fault code with its count, instead of each fault (text or json)."),
        click.option("--no-stubs", is_flag=True, help="Run the program for real: real datasets, weights downloads, full training, network."),
        click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=6144, show_default=True, help="Memory (MiB) a probe may allocate beyond TensorFlow's own."),
        click.option("--cpu-limit", type=click.IntRange(min=1), default=None, help="CPU seconds per probe (default: 4 x timeout, at least 60)."),
        click.option("--no-run", is_flag=True, help="Do not run anything: static detection only (fewer faults, fixes unverified)."),
        click.option("-v", "--verbose", is_flag=True, help="Say what the probe stubbed and which files were skipped."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Files probed in parallel (default: [tool.graphfix] jobs, else the number of cores)."),
        click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True, help="Where files are processed; ray needs graphfix[ray]."),
        click.option("--ray-address", default=None, metavar="ADDRESS", help="Ray cluster to connect to (default: RAY_ADDRESS, else a local Ray)."),
        click.option("--gpu", is_flag=True, help="Let probes see GPUs (hidden by default: building a model needs none)."),
        click.option("--no-cache", is_flag=True, help="Probe every file even when its result is cached (also GRAPHFIX_NO_CACHE=1)."),
        click.option("--cache-dir", type=click.Path(path_type=Path), default=None, help="Where results are cached (default: GRAPHFIX_CACHE_DIR, else ~/.cache/graphfix)."),
        click.option("--no-server", is_flag=True, help="Probe in a worker of this command instead of the shared warm server (also GRAPHFIX_NO_SERVER=1)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


class _BadConfig(click.ClickException):
    """Configuration that cannot be used: one line, exit 2 like any input graphfix cannot handle."""

    exit_code = 2


@dataclass
class Run:
    """One invocation's settings, from the command line over [tool.graphfix]."""

    files: list[Path]
    options: Options
    jobs: int
    executor: str
    ray_address: str | None
    stdin_path: Path | None = None  # `-`: the source comes from stdin, probed as this file
    excluded: list[Path] = field(default_factory=list)
    target: str | None = None  # "both": every file under each Keras flavour
    cache: ResultCache | None = None  # check/fix results of unchanged files
    engine_here: bool = False  # diagnose in this process, not the server's engine (--graph needs the rules' plans)


@click.group()
@click.version_option(package_name="graphfix")
@click.pass_context
def main(ctx: click.Context) -> None:
    """graphfix: find and repair broken TensorFlow/Keras computational graphs.

    Probing RUNS the program (in a child process). It is not a security sandbox.
    """
    ctx.obj = None  # the rules: found and validated once, when the invocation first needs them


def _rules() -> Registry:
    return _rules_of(click.get_current_context().find_root())


def _rules_of(root: click.Context) -> Registry:
    from graphfix.registry import Registry, discover

    if root.obj is None:
        root.obj = discover()
    assert isinstance(root.obj, Registry)
    return root.obj


class _Codes(Collection[str]):
    """The known fault codes, discovered only when a setting names codes to check."""

    def __contains__(self, code: object) -> bool:
        return code in _rules()

    def __iter__(self) -> Iterator[str]:
        return iter(_rules().keys())

    def __len__(self) -> int:
        return len(_rules())


@main.command(help=CHECK_HELP)
@_common
@click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=None, metavar="FILE.svg|.png|.dot", help="Draw the probed construction graph, faults highlighted (one file; .svg/.png need no system Graphviz).")
def check(
    paths: tuple[Path, ...], output_format: str, verbose: bool, graph_path: Path | None, exit_zero: bool, statistics: bool,
    **settings: Any,
) -> None:
    run = _prepare(paths, **settings)
    if graph_path is not None:
        run.cache = None  # drawing needs the rules' own plans, which the cache and the server do not send
        run.engine_here = True
    if graph_path is not None and len(run.files) + (run.stdin_path is not None) != 1:
        raise click.UsageError("--graph draws one file's graph: give exactly one file")
    _check_statistics(statistics, output_format)
    outcomes = _execute(run, "check")
    _report(outcomes, output_format, fix_mode=False, verbose=verbose, excluded=run.excluded, statistics=statistics)
    if graph_path is not None and outcomes:
        _draw(outcomes[0], graph_path)
    status = _check_status(outcomes)
    sys.exit(0 if exit_zero and status == 1 else status)


@main.command(help=FIX_HELP)
@_common
@click.option("--diff/--apply", "diff", default=True, help="Show the verified fixes as a diff (default), or write them.")
@click.option("--unverified", is_flag=True, help="Also show a rewrite that did not verify, labelled as such (never written).")
@click.option("--backup", is_flag=True, help="With --apply, keep the original as FILE.orig.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply verified fixes that change a model's signature (an added Input, other outputs, moved weights).")
@click.option("--show-fixes", is_flag=True, help="After the report, list the fixes per file and code (and those held back as unsafe).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a fix was written (--apply) or shown (--diff), even if no fault remains.")
def fix(
    paths: tuple[Path, ...], output_format: str, verbose: bool, diff: bool, unverified: bool, backup: bool,
    unsafe_fixes: bool, show_fixes: bool, exit_non_zero_on_fix: bool, exit_zero: bool, statistics: bool, **settings: Any,
) -> None:
    run = _prepare(paths, **settings)
    run.options = replace(run.options, backup=backup, unsafe_fixes=unsafe_fixes)
    _check_statistics(statistics, output_format)

    def finish(outcomes: list[FileOutcome]) -> None:
        status = _fix_status(outcomes)
        if exit_zero and status == 1:
            status = 0
        if exit_non_zero_on_fix and status == 0 and any(o.fixed is not None for o in outcomes):
            status = 1
        sys.exit(status)

    if run.stdin_path is not None:
        data = sys.stdin.buffer.read()
        outcome = _from_stdin(run, "fix", data)
        # the editor always gets a whole buffer back: the verified fix, or its own bytes unchanged
        if outcome.fixed is not None and not outcome.error:
            sys.stdout.buffer.write(outcome.fixed.encode("utf-8"))
        else:
            sys.stdout.buffer.write(data)
        sys.stdout.flush()
        _report([outcome], output_format, fix_mode=True, verbose=verbose, stream_err=True, statistics=statistics)
        finish([outcome])
    outcomes = _execute(run, "fix" if diff else "apply")
    if output_format == "text" and diff and not statistics:
        for outcome in outcomes:
            _print_diff(outcome, unverified)
    _report(outcomes, output_format, fix_mode=True, verbose=verbose, excluded=run.excluded, statistics=statistics)
    if show_fixes:
        for line in fixes_lines(outcomes, written=not diff):
            click.echo(line, err=True)
    finish(outcomes)


def _check_statistics(statistics: bool, output_format: str) -> None:
    if statistics and output_format not in ("text", "json"):
        raise click.UsageError("--statistics goes with --format text or json")


@main.command()
def rules() -> None:
    """List the fault codes graphfix knows, one line each."""
    for rule in _rules().values():
        click.echo(f"{rule.code} {rule.name}: {rule.summary}")


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """Show a fault's documentation and its rewrite examples."""
    registry = _rules()
    rule = registry.get(code.upper())
    if rule is None:
        raise click.UsageError(f"unknown fault code {code!r}; see `graphfix rules`")
    sections = rule.sections()
    click.echo(f"{rule.code} {rule.name}: {rule.summary}")
    for title, key in (("The fault", "fault"), ("Symptom", "symptom"), ("How graphfix finds it", "detection"), ("The fix, and why it is right", "fix")):
        if sections[key]:
            click.echo(f"\n{title}\n{'-' * len(title)}\n{sections[key]}")
    safe, unsafe = plan_safety(rule)
    if safe or unsafe:
        title = "Fix safety"
        click.echo(f"\n{title}\n{'-' * len(title)}")
        click.echo("Safe (written by --apply): " + (", ".join(safe) or "none"))
        click.echo("Unsafe, they change a model's signature (written only with --unsafe-fixes): " + (", ".join(unsafe) or "none"))
    for number, example in enumerate(type(rule).EXAMPLES, start=1):
        if example.after is None:
            continue
        click.echo(f"\nExample {number}" + (f" ({example.note})" if example.note else ""))
        click.echo("Before:\n" + _indent(example.before) + "After:\n" + _indent(example.after))


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.splitlines())


def _validate_entry(entry: str | None, paths: list[Path]) -> None:
    if entry is None:
        return
    module, sep, function = entry.partition(":")
    if not sep or not module or not function.isidentifier():
        raise click.BadParameter("expected MODULE:FUNCTION", param_hint="--entry")
    if len(paths) != 1 or not paths[0].is_file():
        raise click.BadParameter("--entry takes exactly one file", param_hint="--entry")


def _codes(value: str | None, option: str) -> frozenset[str] | None:
    if value is None:
        return None
    try:
        return expand_codes([c for c in value.split(",") if c.strip()] or [""], _rules().keys(), option)
    except ConfigError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[-1], param_hint=option) from None


def _prepare(
    paths: tuple[Path, ...],
    stdin_filename: Path | None,
    select: str | None,
    ignore: str | None,
    python: str | None,
    entry: str | None,
    timeout: float | None,
    flavor: str | None,
    target: str | None,
    extend_exclude: tuple[str, ...],
    force_exclude: bool,
    respect_gitignore: bool,
    no_stubs: bool,
    memory_mb: int,
    cpu_limit: int | None,
    no_run: bool,
    jobs: int | None,
    executor: str,
    ray_address: str | None,
    gpu: bool,
    no_cache: bool = False,
    cache_dir: Path | None = None,
    no_server: bool = False,
) -> Run:
    """Command line over [tool.graphfix] over defaults; the files to process."""
    stdin = Path("-") in paths
    if stdin and (len(paths) != 1 or stdin_filename is None):
        raise click.UsageError("reading from stdin: give - alone, with --stdin-filename PATH")
    if stdin_filename is not None and not stdin:
        raise click.UsageError("--stdin-filename goes with the path -")
    targets = [stdin_filename] if stdin and stdin_filename is not None else list(paths)
    try:
        config = load_config(targets, _Codes())
    except ConfigError as exc:
        raise _BadConfig(str(exc)) from None
    extra = tuple(p.strip() for value in extend_exclude for p in value.split(",") if p.strip())
    config = replace(config, exclude=config.exclude + extra)
    if target in FLAVOURS:
        if flavor is not None and flavor != target:
            raise click.UsageError(f"--flavor {flavor} contradicts --target {target}")
        flavor = target
    elif target == "both" and (stdin or flavor is not None):
        raise click.UsageError("--target both probes files under each flavour: not with stdin or --flavor")
    files: list[Path] = []
    excluded: list[Path] = []
    if not stdin:
        for given in paths:
            named = given.is_file() or not given.exists()  # named on the command line, not found by a walk
            for path in python_files(given, respect_gitignore=respect_gitignore):
                walked = None if named else given
                (excluded if (force_exclude or not named) and config.excluded(path, walked) else files).append(path)
    entry = entry or config.entry
    _validate_entry(entry, targets if stdin else files)
    options = Options(
        python=python or config.python or resolve_python(targets),
        entry=entry,
        timeout=timeout or config.timeout or 60.0,
        flavor=flavor,
        stubs=not no_stubs,
        memory_bytes=memory_mb * 1024 * 1024,
        cpu_seconds=cpu_limit,
        run=not no_run,
        gpu=gpu,
        server=not (no_server or os.environ.get("GRAPHFIX_NO_SERVER")),
        select=_codes(select, "--select") if select is not None else config.select,
        ignore=(_codes(ignore, "--ignore") or frozenset()) if ignore is not None else config.ignore,
    )
    return Run(
        files=files,
        options=options,
        jobs=jobs or config.jobs or default_jobs(),
        executor=executor,
        ray_address=ray_address,
        stdin_path=stdin_filename if stdin else None,
        excluded=excluded,
        target=target,
        cache=None if no_cache else _cache(cache_dir),
    )


def _cache(directory: Path | None) -> ResultCache | None:
    directory = directory or default_directory()
    return ResultCache(directory) if directory is not None else None


def _execute(run: Run, operation: str) -> list[FileOutcome]:
    if run.stdin_path is not None:
        return [_from_stdin(run, operation, sys.stdin.buffer.read())]
    if run.target == "both":
        return run_both(run.files, run.options, operation, lambda options, op: _execute_files(run, options, op))
    return _execute_files(run, run.options, operation)


def _execute_files(run: Run, options: Options, operation: str) -> list[FileOutcome]:
    with _progress(len(run.files)) as progress:
        if run.executor == "ray":
            try:
                from graphfix.runner import run_ray

                return run_ray(run.files, _rules(), options, operation, run.jobs, run.ray_address, progress)
            except RuntimeError as exc:
                raise click.UsageError(str(exc)) from None
        root = click.get_current_context().find_root()
        return run_local(run.files, lambda: _rules_of(root), options, operation, run.jobs, progress, run.cache, run.engine_here)


def _from_stdin(run: Run, operation: str, data: bytes) -> FileOutcome:
    """Editor mode: the buffer from stdin, probed as if it were the file at --stdin-filename."""
    assert run.stdin_path is not None
    path = run.stdin_path
    if path.suffix == ".ipynb":
        return FileOutcome(str(path), error="editor mode takes Python source; give the notebook as a path")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FileOutcome(str(path), error="stdin is not UTF-8 text")
    engines: list[Engine] = []

    def engine() -> Engine:
        from graphfix.engine import Engine

        engines.append(Engine(_rules(), replace(run.options)))
        return engines[-1]

    try:
        return run_file(path, operation, run.options, engine, text=text, engine_here=run.engine_here)
    finally:
        for made in engines:
            made.close()


def _draw(outcome: FileOutcome, target: Path) -> None:
    from graphfix.drawing import DrawingError, draw

    try:
        draw(outcome, target, _rules())
    except DrawingError as exc:
        click.echo(f"graphfix: --graph: {exc}", err=True)
        sys.exit(2)
    click.echo(f"graph written to {target}", err=True)


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


def _print_diff(outcome: FileOutcome, unverified: bool) -> None:
    if outcome.original is None:
        return
    if outcome.fixed is not None:
        click.echo(outcome_diff(outcome), nl=False)
    elif unverified and outcome.unverified is not None:
        click.echo(f"# UNVERIFIED rewrite of {outcome.path}: not confirmed by a re-probe")
        click.echo(outcome_diff(outcome, outcome.unverified), nl=False)


def _report(
    outcomes: list[FileOutcome],
    output_format: str,
    fix_mode: bool,
    verbose: bool,
    excluded: list[Path] | None = None,
    stream_err: bool = False,
    statistics: bool = False,
) -> None:
    """Machine formats go to stdout (stderr when stdout carries fixed source); text to stderr."""
    if statistics:
        if output_format == "json":
            click.echo(json.dumps(statistics_json(outcomes, fix_mode), indent=2), err=stream_err)
            return
        for outcome in outcomes:
            if outcome.error:  # files that could not be handled still say why
                click.echo(f"{outcome.path}: error: {outcome.error}", err=True)
        for line in statistics_lines(outcomes, fix_mode):
            click.echo(line, err=True)
        return
    if output_format == "json":
        click.echo(json.dumps([as_json(o) for o in outcomes], indent=2), err=stream_err)
        return
    if output_format == "sarif":
        click.echo(json.dumps(sarif(outcomes, _rules()), indent=2), err=stream_err)
        return
    if output_format == "github":
        for outcome in outcomes:
            for line in github_lines(outcome, fix_mode):
                click.echo(line, err=stream_err)
        return
    for outcome in outcomes:
        for line in text_lines(outcome, fix_mode):
            click.echo(line, err=True)
        if verbose:
            for note in outcome.notes:
                click.echo(f"{outcome.path}: note: {note}", err=True)
            for line in trial_lines(outcome):
                click.echo(line, err=True)
    if verbose:
        for path in excluded or []:
            click.echo(f"{path}: note: excluded by [tool.graphfix] exclude", err=True)
    if fix_mode and len(outcomes) > 1 and any(o.stops_at or o.fixed is not None for o in outcomes):
        for line in tree_lines(outcomes):
            click.echo(line, err=True)
    if fix_mode and (len(outcomes) > 1 or any(f.held_back for o in outcomes for f in o.faults)):
        click.echo(summary_line(outcomes), err=True)


def _check_status(outcomes: list[FileOutcome]) -> int:
    if any(o.error for o in outcomes):
        return 2
    if any(o.faults or o.program_error for o in outcomes):
        return 1
    return 0


def _fix_status(outcomes: list[FileOutcome]) -> int:
    if any(o.error for o in outcomes):
        return 2
    if any(f.state is not FixState.VERIFIED or f.held_back for o in outcomes for f in o.faults) or any(o.program_error for o in outcomes):
        return 1
    return 0


@main.group()
def server() -> None:
    """The shared warm probe servers (started by the first command that probes)."""


@server.command("status")
def server_status() -> None:
    """List this user's probe servers: interpreter, flavour, warm workers, probes served."""
    from graphfix.server import servers

    found = servers()
    for path, status in found:
        if status is None:
            click.echo(f"{path}: stale (no server answers)")
        else:
            click.echo(f"{path}: pid {status['pid']}, {status['python']} {status['flavor']}, {status['workers']} warm workers, {status['probes']} probes")
    if not found:
        click.echo("no probe server is running")


@server.command("stop")
def server_stop() -> None:
    """Stop every probe server of this user."""
    from graphfix.server import ask, servers

    for path, status in servers():
        if status is not None and ask(path, "stop") is not None:
            click.echo(f"stopped {status['pid']} ({status['python']} {status['flavor']})")
        path.unlink(missing_ok=True)


@main.command()
def lsp() -> None:
    """Run the language server on stdin/stdout (for editors)."""
    from graphfix.lsp import serve

    sys.exit(serve())


if __name__ == "__main__":
    main()
