"""GF503 with Keras 1 sample counts: the batch size a generator yields is read from the program,
also from a helper module beside it (found through the failing frame's file); without it the
call is reported, not rewritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemods.removed_model_method import CallReplacement, RemovedModelMethod
from graphfix.ftypes import Evidence, ProbeStatus, ProgramError, Span
from graphfix.source import SourceIndex

HELPERS = """
BATCH = 24

def batch_generator(x, y, batch_size):
    while True:
        yield x[:batch_size], y[:batch_size]

def constant_batches(x):
    while True:
        yield x[:BATCH]

class Frames:
    def __init__(self, x, bs=12):
        self.x = x
"""


def _evidence(program: Path, line: int) -> Evidence:
    traceback = f'Traceback (most recent call last):\n  File "{program}", line {line}, in <module>\n'
    message = "'Sequential' object has no attribute 'fit_generator'"
    error = ProgramError("AttributeError", message, Span(line, 0, line, 19), traceback)
    return Evidence(ProbeStatus.ERROR, "keras3", error=error)


@pytest.mark.parametrize(
    ("generator", "batch"),
    [
        ("batch_generator(x, y, 32)", "32"),  # positional, the helper's parameter name
        ("gen", "32"),  # a name bound once to the generator
        ("constant_batches(x)", "24"),  # the helper module's constant, as a literal
        ("Frames(x)", "12"),  # a class's default
        ("datagen.flow(x, y)", "32"),  # ImageDataGenerator's default
    ],
)
def test_batch_size_from_helper_module(tmp_path: Path, generator: str, batch: str) -> None:
    (tmp_path / "helpers.py").write_text(HELPERS)
    source = (
        "from helpers import batch_generator, constant_batches, Frames\n"
        "gen = batch_generator(x, y, 32)\n"
        f"model.fit_generator({generator}, samples_per_epoch=100, nb_epoch=2)\n"
    )
    program = tmp_path / "train.py"
    program.write_text(source)
    rule = RemovedModelMethod()
    index = SourceIndex(source)
    (fault,) = rule.detect(_evidence(program, 3), index)
    (plan,) = fault.repairs
    assert isinstance(plan, CallReplacement)
    assert dict(plan.batches) == {"samples_per_epoch": batch}
    steps = -(-100 // int(batch))
    assert f"steps_per_epoch={steps}, epochs=2)" in rule.transform(index, plan)


def test_unknown_batch_size_is_reported(tmp_path: Path) -> None:
    source = "from elsewhere import stream\nmodel.fit_generator(stream(x), samples_per_epoch=100, nb_epoch=2)\n"
    program = tmp_path / "train.py"
    program.write_text(source)
    (fault,) = RemovedModelMethod().detect(_evidence(program, 2), SourceIndex(source))
    assert not fault.repairs
    assert "`samples_per_epoch` counts samples" in fault.message
