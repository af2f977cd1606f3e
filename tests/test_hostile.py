"""Hostile inputs: each gets a one-line error naming the file and the reason (or is handled
cleanly), the right exit code, the other files of the same run still processed, and every input
file byte-identical afterwards."""

from __future__ import annotations

import os
import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphfix.cli import main
from graphfix.corpus import ROOT
from graphfix.files import read_source, write_atomic

GOOD = ROOT / "GF102" / "seed_style" / "program.py"  # a faulty program that must still be found
TF = "import tensorflow as tf\n"


@dataclass(frozen=True)
class Hostile:
    name: str
    content: bytes
    exit_code: int  # the run's exit code (the good file alone gives 1)
    message: str | None  # expected in the hostile file's line; None: no line for it


CASES = [
    Hostile("syntax_error", b"def broken(:\n", 2, "error: syntax error at line 1"),
    Hostile("not_utf8", b"import keras\nname = '\xff\xfe'\n", 2, "error: cannot decode"),
    Hostile("binary", b"\x7fELF\x00\x00\x01\x02" * 64, 2, "error: binary file"),
    Hostile("empty", b"", 1, None),
    Hostile("huge", b"import keras\n" + b"x = 1\n" * 1_000_000, 2, "error: file too large"),
    Hostile("hangs", (TF + "import threading\nthreading.Event().wait()\n").encode(), 2, "error: probe timed out"),
    Hostile("sleeps", (TF + "import time\ntime.sleep(1000)\n").encode(), 2, "error: probe timed out"),
    Hostile("busy_loop", (TF + "while True:\n    pass\n").encode(), 2, "error: probe timed out"),
    Hostile("exits_early", (TF + "import sys\nsys.exit(3)\n").encode(), 1, "the program exited with status 3"),
    Hostile("hard_exit", (TF + "import os\nos._exit(7)\n").encode(), 2, "error: program crashed: exited with status 7"),
    Hostile("segfault", (TF + "import ctypes\nctypes.string_at(0)\n").encode(), 2, "error: program crashed: killed by signal 11"),
    Hostile("exhausts_memory", (TF + "hog = bytearray(64 * 1024**3)\n").encode(), 2, "error: program crashed: exceeded the probe's memory limit"),
    Hostile("recursion", (TF + "def f(n):\n    return f(n + 1)\n\nf(0)\n").encode(), 1, "RecursionError"),
    Hostile("reads_stdin", (TF + "answer = input('continue? ')\n").encode(), 1, "EOFError"),
    Hostile("prints_megabytes", (TF + "for _ in range(200):\n    print('x' * 100_000)\n").encode(), 1, None),
    Hostile("opens_socket", (TF + "import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=30)\n").encode(), 1, "network access is disabled"),
    Hostile("deletes_files", (TF + "import glob, os\nfor f in glob.glob('*.py'):\n    os.remove(f)\n").encode(), 1, "PermissionError"),
    Hostile("overwrites_itself", (TF + "open(__file__, 'w').write('gone')\n").encode(), 1, "PermissionError"),
    Hostile("removes_its_directory", (TF + "import os, shutil\nshutil.rmtree(os.getcwd())\n").encode(), 1, "PermissionError"),
    Hostile("patches_builtins_and_keras", (TF + "import builtins, keras\nbuiltins.print = None\nkeras.layers.Dense = None\ntf.keras.Model = None\n").encode(), 1, None),
    Hostile("atexit_raises", (TF + "import atexit\n\ndef boom():\n    raise RuntimeError('atexit')\n\natexit.register(boom)\n").encode(), 1, None),
    Hostile("threads_outlive", (TF + "import threading, time\nthreading.Thread(target=time.sleep, args=(600,)).start()\n").encode(), 1, None),
    Hostile("kills_the_worker", (TF + "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n").encode(), 2, "error: probe worker died"),
    Hostile("keyboard_interrupt", (TF + "raise KeyboardInterrupt\n").encode(), 1, "KeyboardInterrupt"),
]


def _tree(tmp_path: Path, case: Hostile) -> tuple[Path, dict[Path, bytes]]:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / f"a_{case.name}.py").write_bytes(case.content)
    shutil.copyfile(GOOD, tree / "z_good.py")
    return tree, {p: p.read_bytes() for p in tree.iterdir()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(case: Hostile, tmp_path: Path) -> None:
    tree, before = _tree(tmp_path, case)
    result = CliRunner().invoke(main, ["check", "--timeout", "5", str(tree)])
    lines = result.stderr.splitlines()
    assert result.exit_code == case.exit_code, result.stderr
    assert any("z_good.py:6:11: GF102" in line for line in lines), result.stderr
    hostile_lines = [line for line in lines if f"a_{case.name}.py" in line]
    if case.message is None:
        assert hostile_lines == [], result.stderr
    else:
        assert len(hostile_lines) == 1 and case.message in hostile_lines[0], result.stderr
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in tree.iterdir()} == before


def test_path_that_does_not_exist_does_not_stop_the_run(tmp_path: Path) -> None:
    good = tmp_path / "good.py"
    shutil.copyfile(GOOD, good)
    result = CliRunner().invoke(main, ["check", str(tmp_path / "missing.py"), str(good)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'missing.py'}: error: no such file" in result.stderr
    assert "good.py:6:11: GF102" in result.stderr


def test_symlink_loop_in_tree(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    shutil.copyfile(GOOD, tree / "pkg" / "good.py")
    (tree / "pkg" / "again").symlink_to(tree, target_is_directory=True)
    result = CliRunner().invoke(main, ["check", str(tree)])
    assert result.exit_code == 1
    assert result.stderr.count("GF102") == 1


def test_forked_children_die_with_the_probe(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    program = tmp_path / "forker.py"
    program.write_text(
        TF + f"import os, time\npid = os.fork()\nif pid == 0:\n    time.sleep(600)\nelse:\n    open({str(marker)!r}, 'w').write(str(pid))\n"
    )
    result = CliRunner().invoke(main, ["check", str(program)])
    assert result.exit_code == 0, result.stderr
    pid = int(marker.read_text())
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail("the program's child process outlived the probe")


def test_a_file_its_user_cannot_write_is_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "prog.py"
    shutil.copyfile(GOOD, target)
    os.chmod(target, 0o444)
    before = target.read_bytes()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m, **k: False if (m & os.W_OK and Path(p) == target) else real_access(p, m, **k))
    result = CliRunner().invoke(main, ["fix", "--apply", str(target)])
    assert result.exit_code == 2
    assert "file is read-only; not overwritten" in result.stderr
    assert target.read_bytes() == before


def test_a_mode_without_write_bits_is_kept_when_its_user_may_write(tmp_path: Path) -> None:
    target = tmp_path / "prog.py"
    shutil.copyfile(GOOD, target)
    os.chmod(target, 0o444)
    if not os.access(target, os.W_OK):
        pytest.skip("this user cannot write a 0444 file (not root)")
    source = read_source(target)
    write_atomic(source, source.text + "# edited\n")
    assert target.read_text().endswith("# edited\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_file_edited_between_check_and_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphfix.engine import Engine

    target = tmp_path / "prog.py"
    shutil.copyfile(GOOD, target)
    original = Engine._fix_rounds

    def edit_during_fix(self: Engine, path: Path, source):  # type: ignore[no-untyped-def]
        outcome = original(self, path, source)
        path.write_text(path.read_text() + "# edited by the user meanwhile\n")
        return outcome

    monkeypatch.setattr(Engine, "_fix_rounds", edit_during_fix)
    result = CliRunner().invoke(main, ["fix", "--apply", str(target)])
    assert result.exit_code == 2
    assert "changed on disk since it was read; not overwritten" in result.stderr
    assert target.read_text().endswith("# edited by the user meanwhile\n")


def test_cpu_limit_breach_is_reported(tmp_path: Path) -> None:
    program = tmp_path / "spin.py"
    program.write_text(TF + "while True:\n    pass\n")
    before = program.read_bytes()
    result = CliRunner().invoke(main, ["check", "--cpu-limit", "1", "--timeout", "60", str(program)])
    assert result.exit_code == 2
    assert "exceeded the probe's CPU-time limit" in result.stderr
    assert program.read_bytes() == before
