"""The pre-commit hooks, run by pre-commit itself on a temporary repository: pre-commit builds
the hook's own environment from this checkout (no TensorFlow there) and graphfix probes with
the project's interpreter."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graphfix.corpus import ROOT

PROJECT = Path(__file__).resolve().parents[1]
BROKEN = PROJECT / "examples" / "autoencoder.py"
EXPECTED_LINE = 'x = layers.Dense(64, activation="relu")(encoded)'

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (PROJECT / ".git").exists(), reason="needs git and a git checkout")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return {**env, **identity, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}


def _repo(path: Path, env: dict[str, str]) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=path, check=True, env=env)
    shutil.copyfile(BROKEN, path / "prog.py")
    shutil.copyfile(ROOT / "clean" / "autoencoder" / "program.py", path / "clean.py")
    (path / "notes.py").write_text("print('no tensorflow here')\n")
    subprocess.run(["git", "add", "."], cwd=path, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "start"], cwd=path, check=True, env=env)
    return path


def _try(repo: Path, hook: str, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), hook, "--files", *files]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=900)


def test_check_and_fix_hooks(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = _repo(tmp_path / "repo", env)
    (repo / "pyproject.toml").write_text(f'[tool.graphfix]\npython = "{sys.executable}"\n')

    check = _try(repo, "graphfix-check", env, "prog.py", "clean.py", "notes.py")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "prog.py:14:15: GF101 disconnected-input" in check.stdout
    assert "clean.py" not in check.stdout.split("graphfix check")[-1]

    fix = _try(repo, "graphfix-fix", env, "prog.py", "clean.py")
    assert fix.returncode == 1  # files were modified: pre-commit stops the commit for review
    assert "files were modified by this hook" in fix.stdout
    assert EXPECTED_LINE in (repo / "prog.py").read_text()
    assert (repo / "clean.py").read_bytes() == (ROOT / "clean" / "autoencoder" / "program.py").read_bytes()

    again = _try(repo, "graphfix-check", env, "prog.py")
    assert again.returncode == 0, again.stdout


def test_hook_finds_the_project_virtualenv(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = _repo(tmp_path / "repo", env)
    (repo / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)  # the project's own venv, with TensorFlow
    check = _try(repo, "graphfix-check", env, "prog.py")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "prog.py:14:15: GF101 disconnected-input" in check.stdout
