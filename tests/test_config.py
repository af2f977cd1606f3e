"""[tool.graphfix] and inline suppression, through the command line as a user runs it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphfix.cli import main
from graphfix.config import ConfigError, load_config, suppressions
from graphfix.corpus import ROOT
from graphfix.registry import discover

DEAD_BRANCH = ROOT / "GF102" / "seed_style" / "program.py"  # GF102 at line 6
CODES = discover().keys()


def _project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.graphfix]\n{table}\n")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copyfile(DEAD_BRANCH, src / "prog.py")
    return src / "prog.py"


def _check(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args])
    data = json.loads(result.stdout) if result.stdout.strip().startswith("[") else []
    return result.exit_code, data, result.stderr


def test_config_found_upward_and_ignore_applies(tmp_path: Path) -> None:
    prog = _project(tmp_path, 'ignore = ["GF102"]\ntimeout = 90')
    config = load_config([prog], CODES)
    assert config.source == tmp_path / "pyproject.toml" and config.timeout == 90.0
    code, data, _ = _check(str(prog))
    assert code == 0 and data[0]["faults"] == []


def test_select_prefix_and_command_line_wins(tmp_path: Path) -> None:
    prog = _project(tmp_path, 'select = ["GF3"]')
    assert load_config([prog], CODES).select == {"GF301", "GF302", "GF303", "GF304", "GF305"}
    code, data, _ = _check(str(prog))
    assert code == 0 and data[0]["faults"] == []
    code, data, _ = _check("--select", "GF1", str(prog))
    assert code == 1 and [f["code"] for f in data[0]["faults"]] == ["GF102"]


def test_exclude_globs(tmp_path: Path) -> None:
    prog = _project(tmp_path, 'exclude = ["src/prog*"]')
    keep = prog.parent / "kept.py"
    keep.write_text("x = 1\n")
    result = CliRunner().invoke(main, ["check", "-v", str(prog.parent)])
    assert result.exit_code == 0
    assert f"{prog}: note: excluded by [tool.graphfix] exclude" in result.stderr
    assert "GF102" not in result.stderr


@pytest.mark.parametrize(
    "table, message",
    [
        ('selct = ["GF101"]', "unknown key 'selct'"),
        ('ignore = ["GF999"]', "unknown fault code 'GF999'"),
        ('ignore = "GF102"', "ignore must be a list of strings, not str"),
        ("timeout = -1", "timeout must be positive"),
        ("jobs = true", "jobs must be an integer, not bool"),
    ],
)
def test_bad_config_is_an_error_not_silence(tmp_path: Path, table: str, message: str) -> None:
    prog = _project(tmp_path, table)
    before = prog.read_bytes()
    result = CliRunner().invoke(main, ["fix", "--apply", str(prog)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3 and "Traceback" not in result.stderr
    assert prog.read_bytes() == before


def test_inline_suppression_keeps_fault_and_fix_out(tmp_path: Path) -> None:
    prog = _project(tmp_path, "")
    lines = prog.read_text().splitlines(keepends=True)
    lines[5] = lines[5].rstrip("\n") + "  # graphfix: ignore[GF102]\n"
    prog.write_text("".join(lines))
    code, data, _ = _check(str(prog))
    assert code == 0 and data[0]["faults"] == []
    result = CliRunner().invoke(main, ["fix", str(prog)])
    assert result.exit_code == 0 and result.stdout == ""
    # on another line the comment does not hide the fault
    lines[5] = lines[5].replace("  # graphfix: ignore[GF102]", "")
    lines[2] = lines[2].rstrip("\n") + "  # graphfix: ignore[GF102]\n"
    prog.write_text("".join(lines))
    code, data, _ = _check(str(prog))
    assert code == 1 and [f["code"] for f in data[0]["faults"]] == ["GF102"]


def test_inline_suppression_with_unknown_code_is_an_error(tmp_path: Path) -> None:
    prog = _project(tmp_path, "")
    prog.write_text(prog.read_text() + "y = 1  # graphfix: ignore[GF1O2]\n")
    code, data, _ = _check(str(prog))
    assert code == 2
    assert "unknown fault code 'GF1O2'" in data[0]["error"]


def test_suppression_reads_comments_only() -> None:
    text = 's = "# graphfix: ignore[GF101]"\nx = 1  # graphfix: ignore\ny = 2  # GRAPHFIX: ignore[gf101, GF2]\n'
    table = suppressions(text, CODES)
    series = {code for code in CODES if code.startswith("GF2")}
    assert "GF201" in series and "GF101" not in series
    assert table == {2: None, 3: frozenset({"GF101", *series})}
    with pytest.raises(ConfigError):
        suppressions("x = 1  # graphfix: ignore[]\n", CODES)


def test_an_ignored_fault_still_explains_the_failure_it_causes(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.graphfix]\nignore = [\"GF101\"]\n")
    prog = tmp_path / "prog.py"
    shutil.copyfile(ROOT / "GF101" / "ae_script" / "program.py", prog)
    code, data, _ = _check(str(prog))
    assert data[0]["faults"] == [] and data[0]["program_error"] is None
    assert code == 0
