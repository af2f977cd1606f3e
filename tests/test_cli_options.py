"""Issue 18, through the command line on real output: pictures without a system Graphviz, ignored
faults that explain the failure, fix safety levels, --statistics, --show-fixes, the exit-code
switches, excludes for pre-commit, .gitignore, and --target."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphfix.cli import main
from graphfix.corpus import ROOT

REPO = ROOT.parent
BIN = Path(sys.executable).parent
DEAD_BRANCH = ROOT / "GF102" / "seed_style" / "program.py"  # GF102 at line 6, one safe fix, both flavours
ADD_INPUT = ROOT / "GF101" / "pair_scorer_add_input"  # adds an Input to a model that never built: safe
MODEL_INPUT = ROOT / "GF102" / "intermediate_input"  # a model that built takes another input: unsafe
ORPHAN = ROOT / "GF101" / "ae_script" / "program.py"
MIXED = ROOT / "GF403" / "keras3_env_tf_keras_import" / "program.py"  # unified on the Keras it runs under


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _copy(src: Path, directory: Path, name: str = "prog.py") -> Path:
    target = directory / name
    shutil.copyfile(src, target)
    return target


# --- pictures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG\r\n\x1a\n")])
def test_graph_renders_without_a_system_graphviz(tmp_path: Path, suffix: str, magic: bytes) -> None:
    program = _copy(REPO / "examples" / "autoencoder.py", tmp_path, "autoencoder.py")
    picture = tmp_path / f"graph{suffix}"
    # PATH holds the virtualenv's programs only: no `dot`, whatever this machine has installed
    env = {**os.environ, "PATH": str(BIN)}
    done = subprocess.run(
        [str(BIN / "graphfix"), "check", "--graph", str(picture), str(program)],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the fault is reported; the picture still drawn
    assert f"graph written to {picture}" in done.stderr
    data = picture.read_bytes()
    assert magic in data[:400]
    if suffix == ".svg":
        text = data.decode("utf-8")
        assert "latent_in" in text and "proposed: encoded" in text and "#c62828" in text.lower()


# --- ignored faults -----------------------------------------------------------------------------


def test_an_ignored_fault_still_explains_the_failure(runner: CliRunner, tmp_path: Path) -> None:
    program = _copy(ORPHAN, tmp_path)
    reported = runner.invoke(main, ["check", str(program)])
    assert reported.exit_code == 1 and "GF101" in reported.stderr
    ignored = runner.invoke(main, ["check", "--ignore", "GF101", str(program)])
    assert ignored.exit_code == 0, ignored.stderr
    assert "the program failed" not in ignored.stderr and "GF101" not in ignored.stderr


# --- fix safety ---------------------------------------------------------------------------------


def test_an_unsafe_fix_is_shown_and_held_back_until_unsafe_fixes(runner: CliRunner, tmp_path: Path) -> None:
    program = _copy(MODEL_INPUT / "program.py", tmp_path)
    before = program.read_bytes()
    held = runner.invoke(main, ["fix", "--apply", "--show-fixes", str(program)])
    assert held.exit_code == 1  # the fault remains in the file
    assert program.read_bytes() == before
    assert "[unsafe fix verified, held back: use --unsafe-fixes]" in held.stderr
    assert "GF102 unsafe fix model-input (held back):" in held.stderr
    assert "+regressor = keras.Model(inputs=inp, outputs=score)" in held.stderr  # shown
    assert "1 unsafe fix held back (--unsafe-fixes applies them)" in held.stderr
    assert "Held back (unsafe: --unsafe-fixes applies them) for 1 fault:" in held.stderr

    applied = runner.invoke(main, ["fix", "--apply", "--unsafe-fixes", "--exit-non-zero-on-fix", "--show-fixes", str(program)])
    assert applied.exit_code == 1, applied.stderr  # a file was written
    assert program.read_text() == (MODEL_INPUT / "expected.py").read_text()
    assert "Fixed 1 fault:" in applied.stderr and "1 × GF102 (dead-branch)" in applied.stderr
    assert runner.invoke(main, ["fix", "--apply", "--exit-non-zero-on-fix", str(program)]).exit_code == 0  # nothing to do


def test_a_fix_to_a_model_that_never_built_is_safe(runner: CliRunner, tmp_path: Path) -> None:
    program = _copy(ADD_INPUT / "program.py", tmp_path)
    applied = runner.invoke(main, ["fix", "--apply", str(program)])
    assert applied.exit_code == 0, applied.stderr
    assert program.read_text() == (ADD_INPUT / "expected.py").read_text()


def test_explain_says_which_repairs_are_safe(runner: CliRunner) -> None:
    result = runner.invoke(main, ["explain", "GF102"])
    assert "rewire-consumer" in result.stdout.split("(written only with --unsafe-fixes)")[0]
    assert "(written only with --unsafe-fixes): model-input" in result.stdout


# --- statistics and exit codes -------------------------------------------------------------------


def test_statistics_and_exit_zero(runner: CliRunner, tmp_path: Path) -> None:
    _copy(DEAD_BRANCH, tmp_path, "a.py")
    _copy(DEAD_BRANCH, tmp_path, "b.py")
    result = runner.invoke(main, ["check", "--statistics", "--exit-zero", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == ["    2  GF102  [*] dead-branch", "Found 2 faults in 2 files."]
    as_json = runner.invoke(main, ["check", "--statistics", "--format", "json", str(tmp_path)])
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == [{"code": "GF102", "name": "dead-branch", "count": 2, "fixes": 2}]
    assert runner.invoke(main, ["check", "--statistics", "--format", "sarif", str(tmp_path)]).exit_code == 2


def test_exit_zero_keeps_2_for_files_that_cannot_be_handled(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def (:\n")
    assert runner.invoke(main, ["check", "--exit-zero", str(tmp_path / "bad.py")]).exit_code == 2


def test_show_fixes_and_exit_non_zero_on_fix_with_a_diff(runner: CliRunner, tmp_path: Path) -> None:
    program = _copy(DEAD_BRANCH, tmp_path)
    result = runner.invoke(main, ["fix", "--show-fixes", "--exit-non-zero-on-fix", str(program)])
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/")
    assert "Verified fixes (not written; --apply writes them) for 1 fault:" in result.stderr
    assert f"- {program}:" in result.stderr and "1 × GF102 (dead-branch)" in result.stderr
    assert runner.invoke(main, ["fix", str(program)]).exit_code == 0


# --- which files: excludes, pre-commit, .gitignore ------------------------------------------------


def _tree(tmp_path: Path) -> Path:
    """A repository whose files import nothing (skipped without a probe), some of them ignored."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src" / "sub").mkdir(parents=True)
    (repo / "build").mkdir()
    (repo / ".gitignore").write_text("build/\n*_gen.py\n")
    (repo / "src" / ".gitignore").write_text("!keep_gen.py\n")
    for name in ("src/a.py", "src/b_gen.py", "src/keep_gen.py", "src/sub/c.py", "build/d.py"):
        (repo / name).write_text("x = 1\n")
    return repo


def _paths(runner: CliRunner, *args: str) -> list[str]:
    result = runner.invoke(main, ["check", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return sorted(Path(item["path"]).name for item in json.loads(result.stdout))


def test_gitignore_is_respected_when_walking(runner: CliRunner, tmp_path: Path) -> None:
    repo = _tree(tmp_path)
    assert _paths(runner, str(repo)) == ["a.py", "c.py", "keep_gen.py"]
    assert _paths(runner, str(repo / "src")) == ["a.py", "c.py", "keep_gen.py"]  # the repository's .gitignore applies
    assert _paths(runner, "--no-respect-gitignore", str(repo)) == ["a.py", "b_gen.py", "c.py", "d.py", "keep_gen.py"]
    assert _paths(runner, str(repo / "src" / "b_gen.py")) == ["b_gen.py"]  # a file named is a file checked


def test_extend_exclude_and_force_exclude(runner: CliRunner, tmp_path: Path) -> None:
    repo = _tree(tmp_path)
    assert _paths(runner, "--extend-exclude", "sub,a.py", str(repo)) == ["keep_gen.py"]
    named = str(repo / "src" / "a.py")
    assert _paths(runner, "--extend-exclude", "a.py", named) == ["a.py"]  # named on the command line
    assert _paths(runner, "--extend-exclude", "a.py", "--force-exclude", named) == []  # as pre-commit needs
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert "entry: graphfix check --force-exclude" in hooks and "entry: graphfix fix --apply --force-exclude" in hooks


def test_config_exclude_with_force_exclude(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.graphfix]\nexclude = ["legacy"]\n')
    legacy = tmp_path / "pkg" / "legacy"
    legacy.mkdir(parents=True)
    (legacy / "old.py").write_text("x = 1\n")
    (tmp_path / "pkg" / "new.py").write_text("x = 1\n")
    assert _paths(runner, str(tmp_path)) == ["new.py"]  # a name without / matches at any depth
    assert _paths(runner, "--force-exclude", str(legacy / "old.py"), str(tmp_path / "pkg" / "new.py")) == ["new.py"]


# --- --target ----------------------------------------------------------------------------------------


def test_target_both_keeps_a_fix_both_flavours_verify(runner: CliRunner, tmp_path: Path) -> None:
    program = _copy(DEAD_BRANCH, tmp_path)
    result = runner.invoke(main, ["fix", "--target", "both", "--apply", str(program)])
    assert result.exit_code == 0, result.stderr
    assert program.read_text() == (DEAD_BRANCH.parent / "expected.py").read_text()


def test_target_both_refuses_fixes_that_differ_by_flavour(runner: CliRunner, tmp_path: Path) -> None:
    program = _copy(MIXED, tmp_path)
    before = program.read_bytes()
    alone = runner.invoke(main, ["fix", "--target", "keras3", str(program)])
    assert alone.exit_code == 0 and alone.stdout.startswith("--- a/"), alone.stderr
    both = runner.invoke(main, ["fix", "--target", "both", "--apply", "-v", str(program)])
    assert both.exit_code == 1
    assert program.read_bytes() == before
    assert "--target both:" in both.stderr and "[fix not verified:" in both.stderr


def test_target_and_flavor_must_agree(runner: CliRunner, tmp_path: Path) -> None:
    program = _copy(DEAD_BRANCH, tmp_path)
    result = runner.invoke(main, ["check", "--target", "keras3", "--flavor", "tf_keras", str(program)])
    assert result.exit_code == 2 and "contradicts" in result.stderr
