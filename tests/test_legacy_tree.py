"""The legacy-tree test: a TF1/Keras-2-era project fixed in one `graphfix fix --apply` run;
every script then runs under TF 2.21 with Keras 3 and produces the activations a reference
computes with the same weights; the already-correct file is untouched."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from graphfix.cli import main
from graphfix.corpus import ROOT

TREE = ROOT / "legacy_tree"
UNTOUCHED = ("correct_extract.py", "config.py", "common.py", "models.py")


def test_legacy_tree(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(TREE / "project", project)
    before = {name: (project / name).read_bytes() for name in UNTOUCHED}

    result = CliRunner().invoke(main, ["fix", "--apply", "--jobs", "2", str(project)])
    assert result.exit_code == 0, result.stderr
    assert "11 files: 7 fixed, 0 faults remain, 0 could not be handled" in result.stderr
    for code in ("GF201", "GF202", "GF203", "GF402"):
        assert f" {code} " in result.stderr
    assert {name: (project / name).read_bytes() for name in UNTOUCHED} == before

    shutil.rmtree(project / "outputs", ignore_errors=True)  # written by the probes; start clean
    scripts = sorted(p for p in project.glob("*.py") if p.name not in ("config.py", "common.py", "models.py"))
    for script in scripts:
        run = subprocess.run([sys.executable, script.name], cwd=project, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"{script.name} fails after the fix:\n{run.stderr[-2000:]}"

    reference = tmp_path / "reference"
    subprocess.run([sys.executable, str(TREE / "reference.py"), str(project), str(reference)], check=True, capture_output=True, timeout=300)
    produced = sorted(p.stem for p in (project / "outputs").glob("*.npy"))
    assert produced == sorted(p.stem for p in reference.glob("*.npy"))
    for name in produced:
        np.testing.assert_allclose(np.load(project / "outputs" / f"{name}.npy"), np.load(reference / f"{name}.npy"), rtol=1e-5, atol=1e-6, err_msg=name)
