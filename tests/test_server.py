"""The warm probe server: started on first use, reused by later clients, private to its user,
replaced when it dies, stopped on request."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphfix.ftypes import ProbeStatus
from graphfix.probe import ProbeRequest
from graphfix.server import ServerWorker, ask, servers

PROGRAM = "import keras\nx = keras.Input((3,))\ny = keras.layers.Dense(2)(x)\nm = keras.Model(x, y)\n"


@pytest.fixture
def run_dir() -> Iterator[Path]:
    """A private runtime folder of the test's own, with a short path (a socket's address is at
    most 107 bytes; pytest's tmp_path under xdist is longer than that)."""
    path = Path(tempfile.mkdtemp(prefix="gf-run-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def client(run_dir: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run_dir))
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


def test_the_command_line_uses_the_servers_engine_and_reports_and_stops_it(
    tmp_path: Path, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command sends whole files to the server, whose engine probes, diagnoses and fixes: the
    command's own process imports neither TensorFlow, the engine, the rules nor libcst; an
    apply is written by the command, with the fix the server verified."""
    import subprocess
    import sys

    from click.testing import CliRunner

    from graphfix.cli import main
    from graphfix.corpus import ROOT

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run_dir))
    monkeypatch.delenv("GRAPHFIX_NO_SERVER", raising=False)
    case = ROOT / "GF101" / "ae_script"
    program = tmp_path / "prog.py"
    program.write_text((case / "program.py").read_text())
    script = (
        "import sys\n"
        "from graphfix.cli import main\n"
        "try:\n"
        "    main(['check', sys.argv[1]])\n"
        "except SystemExit as exc:\n"
        "    print('EXIT', exc.code, file=sys.stderr)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('libcst', 'codemods', 'tensorflow', 'keras') or m == 'graphfix.engine')\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run_dir)}
    checked = subprocess.run([sys.executable, "-c", script, str(program)], capture_output=True, text=True, env=env, check=False)
    assert "GF101" in checked.stderr and "EXIT 1" in checked.stderr
    assert "HEAVY []" in checked.stderr
    applied = CliRunner().invoke(main, ["fix", "--apply", str(program)])
    assert applied.exit_code == 0, applied.output
    assert program.read_text() == (case / "expected.py").read_text()
    status = CliRunner().invoke(main, ["server", "status"])
    assert "keras3" in status.output and " 1 warm workers, " in status.output  # one file at a time: one worker
    stopped = CliRunner().invoke(main, ["server", "stop"])
    assert "stopped" in stopped.output
    assert "no probe server is running" in CliRunner().invoke(main, ["server", "status"]).output


class _FakeWorker:
    """Stands in for a warm worker: `hello` is set once its imports are done."""

    def __init__(self, python: str, flavor: str, gpu: bool) -> None:
        self.hello: dict[str, object] = {}

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_pool_warms_one_worker_per_core_at_most_and_hands_out_ready_ones_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from graphfix import serving

    monkeypatch.setattr(serving, "Worker", _FakeWorker)
    pool = serving._Pool("python", "keras3", False)
    pool.limit = 2
    pool.warm(1)
    first = pool.take()
    first.hello = {"ready": True}
    pool.give(first)
    pool.warm(5)  # a tree of five files: as many workers as cores, no more
    assert len(pool.all) == 2
    assert pool.take() is first  # the other one is still importing TensorFlow
    second = pool.take()
    assert second is not first and len(pool.all) == 2


def test_clients_starting_at_once_start_one_server(client: ServerWorker) -> None:
    import threading

    others = [ServerWorker() for _ in range(3)]
    threads = [threading.Thread(target=worker.start) for worker in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # every server process of this socket, answering on it or not (a loser of a race would
    # listen on a socket file the winner replaced)
    spawned = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(client.path).encode() in cmdline.read_bytes().split(b"\0"):
                spawned.append(cmdline)
        except OSError:
            continue
    assert len(spawned) == 1
    assert all(ask(worker.path, "status") is not None for worker in others)


def test_without_a_usable_server_the_command_probes_itself_and_says_why(
    tmp_path: Path, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A runtime directory others may enter is never used for a server: the command checks
    the file in workers of its own, with the same result, and --verbose says why."""
    from click.testing import CliRunner

    from graphfix.cli import main

    shared = run_dir
    (shared / f"graphfix-{os.getuid()}").mkdir(parents=True, mode=0o755)
    (shared / f"graphfix-{os.getuid()}").chmod(0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))
    monkeypatch.delenv("GRAPHFIX_NO_SERVER", raising=False)
    from graphfix.corpus import ROOT

    program = tmp_path / "prog.py"
    program.write_text((ROOT / "GF101" / "ae_script" / "program.py").read_text())
    checked = CliRunner().invoke(main, ["check", "--verbose", str(program)])
    assert checked.exit_code == 1, checked.output
    assert "GF101" in checked.stderr
    assert "not private to this user" in checked.stderr and "probed by this command" in checked.stderr
    assert not list((shared / f"graphfix-{os.getuid()}").iterdir())


def test_a_runtime_folder_too_long_for_a_socket_address_falls_back_to_the_temporary_folder(
    tmp_path: Path, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graphfix.server import runtime_directory, socket_path

    deep = tmp_path / ("x" * 60) / ("y" * 60)
    deep.mkdir(parents=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(deep))
    assert runtime_directory() == Path(tempfile.gettempdir()) / f"graphfix-{os.getuid()}"
    assert len(os.fsencode(socket_path(sys.executable, "keras3", False))) <= 107
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run_dir))
    assert runtime_directory() == run_dir / f"graphfix-{os.getuid()}"
