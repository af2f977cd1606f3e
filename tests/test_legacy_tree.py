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


# -- GF509: the local InstanceNormalization is keras_contrib's arithmetic; GroupNormalization is not


def _contrib_instance_norm(x: np.ndarray, axis: int | None, epsilon: float) -> np.ndarray:
    """keras_contrib's InstanceNormalization.call with gamma=1, beta=0, written in NumPy."""
    axes = [i for i in range(1, x.ndim) if axis is None or i != axis % x.ndim]
    mean = x.mean(axis=tuple(axes), keepdims=True)
    return (x - mean) / (x.std(axis=tuple(axes), keepdims=True) + epsilon)


def _local_layer() -> type:
    import keras

    from codemods.contrib_instance_normalization import LOCAL_LAYER

    namespace: dict[str, object] = {"keras": keras}
    exec(LOCAL_LAYER, namespace)
    return namespace["InstanceNormalization"]  # type: ignore[return-value]


def test_local_instance_normalization_computes_keras_contribs_values() -> None:
    layer_class = _local_layer()
    x = np.random.default_rng(0).normal(2.0, 0.3, (2, 5, 5, 3)).astype("float32")
    for axis, epsilon in ((None, 1e-3), (-1, 1e-3), (-1, 1e-5)):
        layer = layer_class(axis=axis, epsilon=epsilon)
        out = np.asarray(layer(x))
        np.testing.assert_allclose(out, _contrib_instance_norm(x, axis, epsilon), rtol=1e-4, atol=1e-5)
        assert [tuple(w.shape) for w in layer.weights] == [(1,) if axis is None else (3,)] * 2


def test_group_normalization_is_not_equal_to_keras_contrib_instance_normalization() -> None:
    import keras

    x = np.random.default_rng(1).normal(0.0, 0.05, (2, 5, 5, 3)).astype("float32")  # small variance: epsilon matters
    grouped = np.asarray(keras.layers.GroupNormalization(groups=-1, epsilon=1e-3)(x))
    assert np.abs(grouped - _contrib_instance_norm(x, -1, 1e-3)).max() > 1e-2
    assert np.abs(grouped - _contrib_instance_norm(x, None, 1e-3)).max() > 1e-2


# -- GF511: the local read_data_sets has the TF1 loader's attributes


def test_local_read_data_sets_has_the_tutorial_loaders_splits_and_batches(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import keras

    from codemods.mnist_tutorial_loader import ADAPTER

    rng = np.random.default_rng(2)
    train = (rng.integers(0, 256, (40, 28, 28), dtype=np.uint8), rng.integers(0, 10, 40, dtype=np.uint8))
    test = (rng.integers(0, 256, (10, 28, 28), dtype=np.uint8), rng.integers(0, 10, 10, dtype=np.uint8))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: (train, test))
    namespace: dict[str, object] = {}
    exec(ADAPTER, namespace)
    read_data_sets = namespace["read_data_sets"]

    data = read_data_sets("MNIST_data/", one_hot=True, validation_size=8)  # type: ignore[operator]
    assert (data.train.num_examples, data.validation.num_examples, data.test.num_examples) == (32, 8, 10)
    assert data.train.images.shape == (32, 784) and data.train.images.dtype == np.float32
    np.testing.assert_allclose(data.test.images, test[0].reshape(10, 784) / 255.0)
    np.testing.assert_array_equal(data.validation.labels.argmax(axis=1), train[1][:8])
    seen = [data.train.next_batch(12) for _ in range(3)]  # 36 rows: one epoch and 4 rows of the next
    assert all(x.shape == (12, 784) and y.shape == (12, 10) for x, y in seen)
    assert data.train.epochs_completed == 1
    first_epoch = np.concatenate([x for x, _ in seen])[:32]
    assert sorted(map(bytes, first_epoch)) == sorted(map(bytes, data.train.images))  # every row once per epoch

    plain = read_data_sets("MNIST_data/", reshape=False)  # type: ignore[operator]
    assert plain.train.images.shape == (20, 28, 28, 1) and plain.train.labels.dtype == np.uint8  # validation: at most half


# -- the tree report


def test_tree_report_says_what_each_program_does_after_the_fix() -> None:
    from graphfix.ftypes import Fault, FaultOutcome, FileOutcome, FixState
    from graphfix.report import run_status, tree_lines

    merge = Fault("GF506", "keras1-merge", 3, 1, "merge removed", explains_error=True)
    grads = Fault("GF402", "removed-backend-api", 9, 5, "backend.gradients was removed")  # no fix: does not claim the error
    outcomes = [
        FileOutcome("a.py", faults=(FaultOutcome(merge, FixState.VERIFIED),), original="x", fixed="y"),
        FileOutcome("b.py", faults=(FaultOutcome(merge, FixState.VERIFIED), FaultOutcome(grads, FixState.NONE)),
                    original="x", fixed="y", stops_at="line 9: AttributeError: gradients"),
        FileOutcome("c.py", original="x", stops_at="line 1: ModuleNotFoundError: No module named 'scipy'"),
        FileOutcome("d.py", original="x"),
    ]
    assert [run_status(o) for o in outcomes] == [
        "runs now", "runs further, stops at line 9: AttributeError: gradients",
        "unchanged, stops at line 1: ModuleNotFoundError: No module named 'scipy'", "runs",
    ]
    lines = tree_lines(outcomes)
    assert "programs: 1 runs now, 1 runs further, 1 runs, 1 unchanged" in lines
    assert "fixes by code: GF506 keras1-merge 2" in lines
    assert "still stops: b.py at line 9: AttributeError: gradients (GF402: backend.gradients was removed)" in lines
    assert "still stops: c.py at line 1: ModuleNotFoundError: No module named 'scipy' (no known fault)" in lines


def test_clipped_sqrt_replacement_equals_keras2_sqrt() -> None:
    import keras
    import pytest

    tf_keras = pytest.importorskip("tf_keras")
    from codemods.removed_backend_math import CLIPPED

    assert CLIPPED["sqrt"][0] == "ops.sqrt"
    x = np.random.default_rng(3).normal(0.0, 1.0, (4, 5)).astype("float32")  # negatives: K.sqrt gives 0 there
    expected = np.asarray(tf_keras.backend.sqrt(tf_keras.backend.constant(x)))
    np.testing.assert_allclose(np.asarray(keras.ops.sqrt(keras.ops.maximum(x, 0.0))), expected, rtol=1e-6)
    assert np.isnan(np.asarray(keras.ops.sqrt(x))).any()  # the bare namesake differs
