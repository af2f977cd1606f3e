"""The generated Keras API table is current, and every backend-math pair it holds computes the
same values as the Keras 2 function it replaces (tf_keras.backend), called the way the GF505
rewrite calls it: the same arguments, keywords renamed, old defaults written out. The GF502
renames name parameters Keras 3 really has."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

keras = pytest.importorskip("keras")
tf_keras = pytest.importorskip("tf_keras")

from codemods.keras_api_table import BACKEND_MATH, PUBLIC  # noqa: E402
from codemods.renamed_argument import DENSE, LAYER, OPTIMIZER, TRAINING  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.uniform(0.1, 0.9, (2, 3, 4)).astype("float32")
Y = RNG.uniform(0.1, 0.9, (2, 3, 4)).astype("float32")
SAMPLES: dict[str, Any] = {
    "x": X, "y": Y, "tensors": [X, Y], "axis": 1, "keepdims": True, "shape": (2, 3), "dtype": "float32",
    "n": (1, 2, 1), "min_value": 0.2, "max_value": 0.7, "target": Y, "output": X, "start": 5, "alpha": 0.5,
    "variables": X, "from_logits": False,
}  # fmt: skip
OVERRIDES: dict[str, dict[str, Any]] = {
    "dot": {"x": X[0], "y": Y[0].T},
    "reshape": {"shape": (4, 6)},
    "squeeze": {"x": X[:, :1], "axis": 1},
    "stack": {"x": [X, Y]},
}


def _tensor(value: Any) -> Any:
    """Keras 2's backend functions take TensorFlow tensors."""
    import tensorflow as tf

    if isinstance(value, np.ndarray):
        return tf.constant(value)
    if isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
        return [tf.constant(v) for v in value]
    return value


def test_table_is_current() -> None:
    import generate_keras_api_table

    assert (ROOT / "codemods" / "keras_api_table.py").read_text() == generate_keras_api_table.render(), (
        "regenerate with `.venv/bin/python tests/generate_keras_api_table.py`"
    )
    assert "Conv2D" in PUBLIC["keras.layers"] and "Adam" in PUBLIC["keras.optimizers"]


@pytest.mark.parametrize("name", sorted(BACKEND_MATH))
def test_backend_math_pair_is_numerically_equal(name: str) -> None:
    target, keywords, defaults = BACKEND_MATH[name]
    module, attr = target.split(".")
    old = getattr(tf_keras.backend, name)
    new = getattr(getattr(keras, module), attr)
    required = [p.name for p in inspect.signature(old).parameters.values() if p.default is inspect.Parameter.empty]
    for given in (required, [p for p in inspect.signature(old).parameters if p in SAMPLES]):
        samples = {**SAMPLES, **OVERRIDES.get(name, {})}
        args = {p: samples[p] for p in given if p in samples}
        if set(required) - set(args):
            pytest.skip(f"no sample for {sorted(set(required) - set(args))}")
        expected = old(**{k: _tensor(v) for k, v in args.items()})
        converted = {dict(keywords)[k]: v for k, v in args.items()}
        for keyword, text in defaults.items():
            converted.setdefault(keyword, eval(text))
        result = new(**converted)
        if isinstance(expected, (str, int)):
            assert result == expected, name
            continue
        if name.startswith("random_"):
            assert tuple(np.shape(result)) == tuple(np.shape(expected))
            continue
        np.testing.assert_allclose(np.asarray(result), np.asarray(expected), rtol=1e-5, atol=1e-6, err_msg=name)


def test_renamed_arguments_exist_in_keras3() -> None:
    parameters = set(inspect.signature(keras.layers.Conv2D).parameters) | set(inspect.signature(keras.layers.Dense).parameters)
    assert set(LAYER.values()) | set(DENSE.values()) <= parameters
    assert set(OPTIMIZER.values()) <= set(inspect.signature(keras.optimizers.Adam).parameters)
    assert set(TRAINING.values()) <= set(inspect.signature(keras.Model.fit).parameters)
