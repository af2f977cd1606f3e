"""The command line, through click's runner: exit codes, output streams, files untouched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphfix.cli import main
from graphfix.corpus import ROOT
from graphfix.registry import discover

BROKEN = ROOT / "GF102" / "seed_style" / "program.py"
CLEAN = ROOT / "clean" / "autoencoder" / "program.py"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def _copy(src: Path, tmp_path: Path, name: str = "prog.py") -> Path:
    target = tmp_path / name
    shutil.copyfile(src, target)
    return target


def test_check_reports_fault_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    target = _copy(BROKEN, tmp_path)
    result = runner.invoke(main, ["check", str(target)])
    assert result.exit_code == 1
    assert f"{target}:6:11: GF102 dead-branch:" in result.stderr
    assert result.stdout == ""


def test_check_clean_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(_copy(CLEAN, tmp_path))])
    assert result.exit_code == 0, result.output


def test_fix_diff_leaves_file_identical(runner: CliRunner, tmp_path: Path) -> None:
    target = _copy(BROKEN, tmp_path)
    before = target.read_bytes()
    result = runner.invoke(main, ["fix", str(target)])
    assert result.exit_code == 0
    assert result.stdout.startswith("--- a/")
    assert "+decoded = tf.keras.layers.Dense(64, activation=\"sigmoid\")(encoded)" in result.stdout
    assert target.read_bytes() == before


def test_fix_apply_writes_and_second_run_is_noop(runner: CliRunner, tmp_path: Path) -> None:
    target = _copy(BROKEN, tmp_path)
    result = runner.invoke(main, ["fix", "--apply", str(target)])
    assert result.exit_code == 0
    assert target.read_text() == (BROKEN.parent / "expected.py").read_text()
    again = runner.invoke(main, ["fix", "--apply", str(target)])
    assert again.exit_code == 0 and again.stdout == ""
    assert target.read_text() == (BROKEN.parent / "expected.py").read_text()


def test_json_output(runner: CliRunner, tmp_path: Path) -> None:
    target = _copy(BROKEN, tmp_path)
    result = runner.invoke(main, ["fix", "--format", "json", str(target)])
    data = json.loads(result.stdout)
    (fault,) = data[0]["faults"]
    assert fault["code"] == "GF102" and fault["fix_available"] and fault["fix_verified"]
    assert (fault["line"], fault["col"]) == (6, 11)
    assert data[0]["error"] is None


def test_tree_keeps_going_past_bad_files(runner: CliRunner, tmp_path: Path) -> None:
    _copy(BROKEN, tmp_path, "a_broken.py")
    (tmp_path / "b_syntax.py").write_text("def (:\n")
    (tmp_path / "c_exit.py").write_text("import sys\nimport keras\nsys.exit(3)\n")
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any("a_broken.py:6:11: GF102" in line for line in lines)
    assert any(line.endswith("b_syntax.py: error: syntax error at line 1") for line in lines)
    assert any("c_exit.py: the program exited with status 3" in line for line in lines)
    assert "Traceback" not in result.output


def test_missing_path_is_one_line_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(tmp_path / "nope.py")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{tmp_path / 'nope.py'}: error: no such file"


def test_unknown_program_error_is_reported_not_crashing(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "p.py"
    target.write_text("import keras\nraise RuntimeError('data file missing')\n")
    result = runner.invoke(main, ["check", str(target)])
    assert result.exit_code == 1
    assert "the program failed (line 2): RuntimeError: data file missing" in result.stderr


def test_bad_entry_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    target = _copy(CLEAN, tmp_path)
    result = runner.invoke(main, ["check", "--entry", "nocolon", str(target)])
    assert result.exit_code == 2


def test_rules_and_explain(runner: CliRunner) -> None:
    rules = runner.invoke(main, ["rules"])
    codes = [line.split()[0] for line in rules.stdout.splitlines()]
    assert codes == sorted(codes) and {"GF101", "GF102", "GF103", "GF104", "GF401"} <= set(codes)
    explained = runner.invoke(main, ["explain", "gf101"])
    assert "Graph disconnected" in explained.stdout and "Before:" in explained.stdout
    assert runner.invoke(main, ["explain", "GF999"]).exit_code == 2


@pytest.mark.parametrize("code", sorted(discover()))
def test_explain_has_every_part_from_the_codemod_itself(runner: CliRunner, code: str) -> None:
    """The fault, its symptom, how it is found, why the fix is right, and a before/after taken
    from the codemod's own EXAMPLES (the ones run as tests)."""
    rule = discover()[code]
    text = runner.invoke(main, ["explain", code.lower()]).stdout
    for title in ("The fault", "Symptom", "How graphfix finds it", "The fix, and why it is right"):
        assert f"\n{title}\n" in text, title
    for part in rule.sections().values():
        assert part and part.splitlines()[0] in text
    example = next(e for e in type(rule).EXAMPLES if e.after is not None)
    assert "Before:\n" + "".join("    " + line + "\n" for line in example.before.splitlines()) in text
    assert "After:\n" + "".join("    " + line + "\n" for line in example.after.splitlines()) in text


def test_parallel_jobs_report_in_input_order(runner: CliRunner, tmp_path: Path) -> None:
    for name in ("c.py", "a.py", "b.py"):
        _copy(BROKEN, tmp_path, name)
    (tmp_path / "d_plain.py").write_text("print('no tensorflow here')\n")
    result = runner.invoke(main, ["check", "--jobs", "2", "--format", "json", str(tmp_path)])
    data = json.loads(result.stdout)
    assert [Path(item["path"]).name for item in data] == ["a.py", "b.py", "c.py", "d_plain.py"]
    assert [len(item["faults"]) for item in data] == [1, 1, 1, 0]


def test_verbose_says_what_was_skipped(runner: CliRunner, tmp_path: Path) -> None:
    plain = tmp_path / "plain.py"
    plain.write_text("print('hello')\n")
    result = runner.invoke(main, ["check", "-v", str(plain)])
    assert result.exit_code == 0
    assert "note: skipped: does not import TensorFlow or Keras" in result.stderr


def test_progress_line_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from graphfix.cli import _progress
    from graphfix.ftypes import FileOutcome

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    with _progress(2) as progress:
        assert progress is not None
        progress(FileOutcome("a.py"))
        progress(FileOutcome("b.py"))
    assert "2/2 files, 0 faults, 0 fixes verified" in screen.getvalue()
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with _progress(2) as progress:
        assert progress is None


def test_unrunnable_program_still_gets_unverified_static_candidates(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "needs_data.py"
    target.write_text(
        "import numpy as np\nimport keras\nfrom keras import backend as K\n\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])\n"
        "data = np.load('features.npy')  # absent when graphfix probes\n"
        "f = K.function([model.inputs[0]], [model.layers[0].output])\n"
        "print(f([data])[0].shape)\n"
    )
    before = target.read_bytes()
    result = runner.invoke(main, ["fix", "--unverified", str(target)])
    assert result.exit_code == 1
    assert "GF202 backend-function" in result.stderr and "could not run to confirm" in result.stderr
    assert "FileNotFoundError" in result.stderr
    assert "# UNVERIFIED rewrite" in result.stdout and "+f = keras.Model(" in result.stdout
    assert runner.invoke(main, ["fix", "--apply", str(target)]).exit_code == 1
    assert target.read_bytes() == before  # never written: not verified
    assert runner.invoke(main, ["check", "--no-run", str(target)]).exit_code == 1
