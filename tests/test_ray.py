"""The Ray executor against a local Ray started by the test: same results as local, in order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graphfix.corpus import ROOT
from graphfix.engine import Options
from graphfix.registry import discover
from graphfix.runner import run_local, run_ray

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():  # type: ignore[no-untyped-def]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_matches_local_and_applies_locally(local_ray, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sources = [ROOT / "GF101" / "ae_script", ROOT / "clean" / "autoencoder", ROOT / "GF104" / "fit_then_extract"]
    paths = []
    for index, case in enumerate(sources):
        target = tmp_path / f"f{index}.py"
        shutil.copyfile(case / "program.py", target)
        paths.append(target)
    local = run_local(paths, discover(), Options(), "fix", jobs=1)
    remote = run_ray(paths, discover(), Options(), "apply", jobs=2, address=None)
    assert [o.path for o in remote] == [str(p) for p in paths]
    assert [[f.fault.code for f in o.faults] for o in remote] == [[f.fault.code for f in o.faults] for o in local]
    assert [o.fixed for o in remote] == [o.fixed for o in local]
    assert paths[0].read_text() == (sources[0] / "expected.py").read_text()
    assert paths[1].read_text() == (sources[1] / "program.py").read_text()
    assert paths[2].read_text() == (sources[2] / "expected.py").read_text()
