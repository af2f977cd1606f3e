"""The GF401 mapping table, entry by entry, against real numerics: the sample call through
TensorFlow and the rewritten call through keras.ops give the same values."""

from __future__ import annotations

import numpy as np
import pytest

from codemods.keras_ops_table import TABLE, OpMapping
from codemods.tf_op_on_keras_tensor import KerasOps, TfOpOnKerasTensor
from graphfix.source import SourceIndex

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def _rewrite(sample: str) -> str:
    source = f"import tensorflow as tf\nimport keras\nr = {sample}\n"
    index = SourceIndex(source)
    outer = index.module.body[2].body[0].value  # type: ignore[attr-defined]
    span = index.span_of(outer)
    return TfOpOnKerasTensor().transform(index, KerasOps(span, ("x", "y")))


@pytest.mark.parametrize("entry", TABLE, ids=[e.ops_name for e in TABLE])
def test_entry_matches_tensorflow(entry: OpMapping) -> None:
    rng = np.random.default_rng(0)
    x = rng.random((2, 3, 4)).astype("float32")
    y = rng.random((2, 3, 4)).astype("float32")
    expected = eval(entry.sample, {"tf": tf, "x": x, "y": y})  # noqa: S307 - our own table
    rewritten = _rewrite(entry.sample)
    assert f"keras.ops.{entry.ops_name}(" in rewritten, rewritten
    scope = {"tf": tf, "keras": keras, "x": x, "y": y}
    exec(rewritten.split("\n", 2)[2], scope)  # noqa: S102
    np.testing.assert_allclose(np.asarray(scope["r"]), np.asarray(expected), rtol=1e-5, atol=1e-6)


def test_every_entry_has_a_sample() -> None:
    assert all(entry.sample.startswith("tf.") for entry in TABLE)
    names = [name for entry in TABLE for name in entry.tf_names]
    assert len(names) == len(set(names)), "an op is mapped twice"
