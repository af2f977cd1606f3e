"""Correct real-world-style programs (tests/realprograms) that download their data with urllib,
requests or numpy are checked to the end with no fault reported, each download answered by a stub."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from graphfix.engine import Engine

FOLDER = Path(__file__).parent / "realprograms"
STUBS = {
    "flowers_urlretrieve.py": "urllib.request.urlretrieve('flower_photos.tgz')",
    "gradcam_urlopen.py": "urllib.request.urlopen('african_elephant.jpg')",
    "reviews_requests.py": "requests.get('reviews_v1.zip')",
    "series_csv_url.py": "numpy.loadtxt(",
}


@pytest.mark.parametrize("name", sorted(STUBS))
def test_a_correct_program_runs_to_the_end_with_no_fault(engine: Engine, name: str) -> None:
    if name == "reviews_requests.py" and importlib.util.find_spec("requests") is None:
        pytest.skip("requests is not installed")
    outcome = engine.check(FOLDER / name)
    assert outcome.error is None and outcome.program_error is None, (outcome.error, outcome.program_error)
    assert outcome.faults == ()
    assert any(STUBS[name] in note for note in outcome.notes), outcome.notes


def test_a_wiring_fault_in_a_downloading_program_is_found_and_fixed(engine: Engine) -> None:
    clean = (FOLDER / "gradcam_urlopen.py").read_text()
    faulty = clean.replace("GlobalAveragePooling2D()(last_conv)", "GlobalAveragePooling2D()(x)")
    assert faulty != clean
    outcome = engine.fix(FOLDER / "gradcam_urlopen.py", text=faulty)
    assert [f.fault.code for f in outcome.faults] == ["GF102"]
    assert outcome.fixed == clean
