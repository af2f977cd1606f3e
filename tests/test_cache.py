"""The result cache through the command line: an unchanged file is answered without a probe,
and anything its result depends on (its bytes, a local module it imports, the options) is a
miss."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphfix.cache import ResultCache, key, local_imports
from graphfix.cli import main
from graphfix.corpus import ROOT
from graphfix.engine import Options

PROGRAM = ROOT / "GF101" / "ae_script" / "program.py"


@pytest.fixture
def cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GRAPHFIX_NO_CACHE", raising=False)
    monkeypatch.setenv("GRAPHFIX_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_second_check_is_answered_from_the_cache(tmp_path: Path, cached: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "prog.py"
    shutil.copyfile(PROGRAM, target)
    first = CliRunner().invoke(main, ["check", str(target)])
    assert first.exit_code == 1 and "GF101" in first.stderr
    assert list(cached.rglob("*.pickle"))

    def no_probe(*args: object, **kwargs: object) -> None:
        raise AssertionError("probed although the result was cached")

    monkeypatch.setattr("graphfix.engine.Engine.run", no_probe)
    second = CliRunner().invoke(main, ["check", str(target)])
    assert second.exit_code == 1 and second.stderr == first.stderr


def test_apply_never_uses_the_cache(tmp_path: Path, cached: Path) -> None:
    target = tmp_path / "prog.py"
    shutil.copyfile(PROGRAM, target)
    assert CliRunner().invoke(main, ["fix", str(target)]).exit_code in (0, 1)
    applied = CliRunner().invoke(main, ["fix", "--apply", str(target)])
    assert applied.exit_code == 0 and target.read_text() != PROGRAM.read_text()


def test_the_key_follows_bytes_local_imports_and_options(tmp_path: Path) -> None:
    main_file = tmp_path / "train.py"
    helper = tmp_path / "blocks.py"
    main_file.write_text("import keras\nfrom blocks import tower\n")
    helper.write_text("def tower():\n    return 1\n")
    assert local_imports(main_file) == [helper]
    options = Options()
    base = key(main_file, main_file.read_bytes(), "check", options)
    assert key(main_file, main_file.read_bytes(), "check", options) == base
    assert key(main_file, main_file.read_bytes() + b"\n", "check", options) != base
    assert key(main_file, main_file.read_bytes(), "fix", options) != base
    assert key(main_file, main_file.read_bytes(), "check", Options(flavor="tf_keras")) != base
    helper.write_text("def tower():\n    return 2\n")
    assert key(main_file, main_file.read_bytes(), "check", options) != base


def test_a_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    entry = tmp_path / "ab" / "abcd.pickle"
    entry.parent.mkdir()
    entry.write_bytes(b"not a pickle")
    assert cache.get("abcd") is None


def test_a_cache_hit_loads_neither_the_rules_nor_libcst(tmp_path: Path, cached: Path) -> None:
    """The fast path of an unchanged file: a fresh `graphfix fix` that finds its result cached
    prints the same diff and report without importing the rules, the engine or libcst."""
    target = tmp_path / "prog.py"
    shutil.copyfile(PROGRAM, target)
    first = CliRunner().invoke(main, ["fix", "--verbose", str(target)])
    assert first.exit_code in (0, 1) and first.stdout.startswith("---")
    script = (
        "import sys\n"
        "from graphfix.cli import main\n"
        "try:\n"
        "    main(['fix', '--verbose', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'codemods', 'nbformat') or m == 'graphfix.engine')\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "GRAPHFIX_CACHE_DIR": str(cached), "GRAPHFIX_NO_SERVER": "1"}
    env.pop("GRAPHFIX_NO_CACHE", None)
    again = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, text=True, env=env, check=False)
    assert again.stdout == first.stdout
    assert "HEAVY []" in again.stderr
    assert again.stderr.replace("HEAVY []\n", "") == first.stderr
