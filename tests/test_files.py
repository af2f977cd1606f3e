"""Reading and writing sources without losing a byte."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from graphfix.files import SourceError, python_files, read_source, write_atomic


def test_crlf_bom_and_permissions_survive_a_write(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"\xef\xbb\xbfa = 1\r\nb = 2\r\n")
    os.chmod(path, 0o640)
    source = read_source(path)
    assert source.text == "a = 1\r\nb = 2\r\n"
    write_atomic(source, source.text.replace("2", "3"))
    assert path.read_bytes() == b"\xef\xbb\xbfa = 1\r\nb = 3\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_pep263_latin1_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "l.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nname = '\xe9'\nx = 1\n")
    source = read_source(path)
    write_atomic(source, source.text.replace("x = 1", "x = 2"))
    assert path.read_bytes() == b"# -*- coding: latin-1 -*-\nname = '\xe9'\nx = 2\n"


def test_file_changed_on_disk_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("a = 1\n")
    source = read_source(path)
    path.write_text("a = 5\n")
    with pytest.raises(SourceError, match="changed on disk"):
        write_atomic(source, "a = 2\n")
    assert path.read_text() == "a = 5\n"


def test_backup_keeps_the_original(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("a = 1\n")
    write_atomic(read_source(path), "a = 2\n", backup=True)
    assert (tmp_path / "m.py.orig").read_text() == "a = 1\n"
    assert path.read_text() == "a = 2\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\x00\x01binary", "binary"), (b"x = '\xff\xfe'\n", "cannot decode")],
)
def test_unreadable_sources_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.py"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        read_source(path)


def test_tree_walk_survives_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [p.name for p in python_files(tmp_path)] == ["a.py"]
