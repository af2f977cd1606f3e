"""The warm probe server: started on first use, reused by later clients, private to its user,
replaced when it dies, stopped on request."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from graphfix.ftypes import ProbeStatus
from graphfix.probe import ProbeRequest
from graphfix.server import ServerWorker, ask, servers

PROGRAM = "import keras\nx = keras.Input((3,))\ny = keras.layers.Dense(2)(x)\nm = keras.Model(x, y)\n"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    worker = ServerWorker()
    yield worker
    ask(worker.path, "stop")


def _probe(worker: ServerWorker, tmp_path: Path) -> ProbeStatus:
    path = tmp_path / "prog.py"
    path.write_text(PROGRAM)
    return worker.probe(ProbeRequest(str(path), PROGRAM, timeout=60)).status


def test_a_second_client_reuses_the_running_server(client: ServerWorker, tmp_path: Path) -> None:
    client.start()
    assert _probe(client, tmp_path) is ProbeStatus.OK
    first = ask(client.path, "status")
    assert first is not None
    other = ServerWorker()
    assert other.path == client.path
    assert _probe(other, tmp_path) is ProbeStatus.OK
    second = ask(client.path, "status")
    assert second is not None and second["pid"] == first["pid"] and second["probes"] == first["probes"] + 1
    # the same warm workers served it, and each says how much memory it holds (bench/ watches it stay flat)
    assert second["workers"] == first["workers"] == len(second["worker_rss_kib"])
    assert all(kib > 0 for kib in second["worker_rss_kib"])


def test_the_socket_is_private(client: ServerWorker) -> None:
    client.start()
    assert stat.S_IMODE(client.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(os.stat(client.path).st_mode) & 0o077 == 0
    assert [p for p, status in servers() if status is not None] == [client.path]


def test_a_dead_server_is_replaced(client: ServerWorker, tmp_path: Path) -> None:
    client.start()
    status = ask(client.path, "status")
    assert status is not None
    os.kill(status["pid"], 9)
    time.sleep(0.2)
    assert _probe(client, tmp_path) is ProbeStatus.OK
    again = ask(client.path, "status")
    assert again is not None and again["pid"] != status["pid"]


def test_the_command_line_uses_the_server_and_reports_and_stops_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from graphfix.cli import main
    from graphfix.corpus import ROOT

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    monkeypatch.delenv("GRAPHFIX_NO_SERVER", raising=False)
    program = tmp_path / "prog.py"
    program.write_text((ROOT / "GF101" / "ae_script" / "program.py").read_text())
    checked = CliRunner().invoke(main, ["check", str(program)])
    assert checked.exit_code == 1 and "GF101" in checked.stderr
    status = CliRunner().invoke(main, ["server", "status"])
    assert "keras3" in status.output and "probes" in status.output
    stopped = CliRunner().invoke(main, ["server", "stop"])
    assert "stopped" in stopped.output
    assert "no probe server is running" in CliRunner().invoke(main, ["server", "status"]).output
