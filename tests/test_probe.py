"""The probe worker: evidence as data, isolation between probes, and failures as outcomes."""

from __future__ import annotations

from pathlib import Path

from graphfix.engine import Engine
from graphfix.ftypes import ProbeStatus
from graphfix.probe import ProbeRequest


def _probe(engine: Engine, tmp_path: Path, source: str, timeout: float = 30):
    path = tmp_path / "prog.py"
    path.write_text(source)
    return engine.worker("keras3").probe(ProbeRequest(str(path), source, timeout=timeout))


def test_records_layer_calls_inputs_and_models(engine: Engine, tmp_path: Path) -> None:
    evidence = _probe(
        engine,
        tmp_path,
        "import keras\nx = keras.Input((3,))\ny = keras.layers.Dense(2)(x)\nm = keras.Model(x, y)\n",
    )
    assert evidence.status is ProbeStatus.OK
    (call,) = evidence.calls
    assert call.span is not None and (call.span.line, call.span.col) == (3, 4)
    assert evidence.tensors[call.inputs[0]].is_input
    assert evidence.tensors[call.outputs[0]].shape == (None, 2)
    (model,) = evidence.models
    assert model.ok and model.inputs == call.inputs and model.outputs == call.outputs


def test_exception_is_evidence_with_user_frame(engine: Engine, tmp_path: Path) -> None:
    evidence = _probe(engine, tmp_path, "def f():\n    raise KeyError('k')\n\nf()\n")
    assert evidence.status is ProbeStatus.ERROR
    assert evidence.error is not None and evidence.error.type == "KeyError"
    assert evidence.error.span is not None and evidence.error.span.line == 2


def test_probes_do_not_leak_state(engine: Engine, tmp_path: Path) -> None:
    _probe(
        engine,
        tmp_path,
        "import builtins, keras, threading, time\n"
        "keras.layers.Dense = None\nbuiltins.LEAK = 1\n"
        "threading.Thread(target=time.sleep, args=(30,), daemon=False).start()\n",
    )
    evidence = _probe(
        engine,
        tmp_path,
        "import builtins, keras\nassert not hasattr(builtins, 'LEAK')\nkeras.layers.Dense(1)\n",
    )
    assert evidence.status is ProbeStatus.OK, evidence.error


def test_a_probe_leaves_no_temporary_file_behind(engine: Engine, tmp_path: Path) -> None:
    # the program's own temporary files and TensorFlow's autograph sources share one directory
    # per probe, and the worker removes it when the probe ends (a tree of files must not fill /tmp)
    made = tmp_path / "made.txt"
    evidence = _probe(
        engine,
        tmp_path,
        "import tempfile, tensorflow as tf\n"
        "handle, name = tempfile.mkstemp(suffix='.npy')\n"
        "@tf.function\ndef double(x):\n    if x > 0:\n        return 2 * x\n    return x\n\n"
        "double(tf.constant(1.0))\n"
        f"open({str(made)!r}, 'w').write(name)\n",
    )
    assert evidence.status is ProbeStatus.OK, evidence.error
    name = made.read_text()
    assert Path(name).parent.name.startswith("graphfix-probe-")
    assert not Path(name).exists() and not Path(name).parent.exists()


def test_timeout_kills_the_probe(engine: Engine, tmp_path: Path) -> None:
    evidence = _probe(engine, tmp_path, "while True:\n    pass\n", timeout=1.5)
    assert evidence.status is ProbeStatus.TIMEOUT


def test_hard_exit_is_a_crash_not_a_hang(engine: Engine, tmp_path: Path) -> None:
    evidence = _probe(engine, tmp_path, "import os\nos._exit(4)\n")
    assert evidence.status is ProbeStatus.CRASHED
    assert "4" in evidence.detail


def test_program_output_stays_out_of_the_protocol(engine: Engine, tmp_path: Path) -> None:
    evidence = _probe(engine, tmp_path, "import os, sys\nprint('{\"how\": 1}')\nos.write(1, b'x' * 200000)\nprint('tail-marker', file=sys.stderr)\n")
    assert evidence.status is ProbeStatus.OK
    assert "tail-marker" in evidence.output_tail


def test_dry_run_stubs_make_a_realistic_script_cheap_and_harmless(engine: Engine, tmp_path: Path) -> None:
    evidence = _probe(
        engine,
        tmp_path,
        "import keras\n"
        "(x, y), _ = keras.datasets.cifar10.load_data()\n"
        "assert x.shape[1:] == (32, 32, 3) and str(x.dtype) == 'uint8'\n"
        "base = keras.applications.MobileNetV2(weights='imagenet', include_top=False, input_shape=(32, 32, 3))\n"
        "out = keras.layers.Dense(10)(keras.layers.GlobalAveragePooling2D()(base.output))\n"
        "model = keras.Model(base.input, out)\n"
        "model.compile('adam', keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"
        "model.fit(x / 255.0, y, epochs=500, callbacks=[keras.callbacks.ModelCheckpoint('best.keras')])\n"
        "model.save('final.keras')\n",
        timeout=120,
    )
    assert evidence.status is ProbeStatus.OK, evidence.error
    stubbed = " ".join(evidence.stubbed)
    assert "cifar10" in stubbed and "MobileNetV2" in stubbed and "fit:" in stubbed and "save:" in stubbed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prog.py"]  # nothing written beside the program


def test_no_stubs_runs_for_real(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "prog.py"
    source = "import keras\nimport numpy as np\nm = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\nm.save('kept.keras')\n"
    path.write_text(source)
    evidence = engine.worker("keras3").probe(ProbeRequest(str(path), source, stubs=False))
    assert evidence.status is ProbeStatus.OK and evidence.stubbed == ()
    assert (tmp_path / "kept.keras").exists()


def test_cold_fallback_when_fork_is_unavailable(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from graphfix.probe import Worker

    monkeypatch.setenv("GRAPHFIX_NO_FORK", "1")
    path = tmp_path / "prog.py"
    source = "import keras\nx = keras.Input((3,))\ny = keras.layers.Dense(2)(x)\n"
    path.write_text(source)
    with Worker() as worker:
        evidence = worker.probe(ProbeRequest(str(path), source))
    assert evidence.status is ProbeStatus.OK and len(evidence.calls) == 1
    assert any("cold process" in note for note in evidence.notes)


def test_evidence_of_weights_made_in_call_and_stale_captures(engine: Engine, tmp_path: Path) -> None:
    layer_in_call = _probe(
        engine,
        tmp_path,
        "import numpy as np, keras\n"
        "class Gate(keras.layers.Layer):\n"
        "    def call(self, x):\n"
        "        return keras.layers.Dense(2)(x)\n"
        "class Good(keras.layers.Layer):\n"
        "    def build(self, shape):\n"
        "        self.w = self.add_weight(shape=(shape[-1],))\n"
        "    def call(self, x):\n"
        "        return x * self.w\n"
        "x = np.ones((1, 3), 'float32')\ngate, good = Gate(), Good()\ngate(x); gate(x); good(x); good(x)\n",
    )
    assert layer_in_call.created_in_call["Gate"] > layer_in_call.tracked_after_call["Gate"] == 0
    assert layer_in_call.created_in_call["Good"] == layer_in_call.tracked_after_call["Good"] == 1
    assert layer_in_call.disagreeing == ("Gate",)  # new random weights on every call
    stale = _probe(
        engine,
        tmp_path,
        "import tensorflow as tf\nk = tf.constant(2.0)\nv = tf.Variable(1.0)\n\n"
        "@tf.function\ndef f(x):\n    return x * k * v\n\nf(tf.constant(1.0))\nk = tf.constant(3.0)\nf(tf.constant(1.0))\n",
    )
    assert stale.captures == {"f": ("k",)} and stale.rebound == {"f": ("k",)}


def test_evidence_of_tensors_escaping_a_trace(engine: Engine, tmp_path: Path) -> None:
    leaked = _probe(
        engine,
        tmp_path,
        "import tensorflow as tf\nkept = []\n\n@tf.function\ndef f(x):\n    y = x * 2.0\n    kept.append(y)\n    return x\n\nf(tf.constant(1.0))\n",
    )
    assert leaked.status is ProbeStatus.OK and leaked.escaped == ("kept",)


def test_the_programs_own_callbacks_run_and_keras_ones_are_dropped(engine: Engine, tmp_path: Path) -> None:
    source = (
        "import numpy as np, keras\n"
        "class Monitor(keras.callbacks.Callback):\n"
        "    def on_epoch_end(self, epoch, logs=None):\n"
        "        raise RuntimeError('monitor ran')\n"
        "m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n"
        "m.compile(loss='mse')\n"
        "stop = keras.callbacks.EarlyStopping(patience=0)\n"
        "m.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=50, callbacks=[stop, Monitor()], verbose=0)\n"
    )
    evidence = _probe(engine, tmp_path, source)
    assert evidence.error is not None and "monitor ran" in evidence.error.message
    assert evidence.error.span is not None and evidence.error.span.line == 4


def test_the_model_building_frame_names_the_models_it_holds(engine: Engine, tmp_path: Path) -> None:
    source = (
        "import keras\n"
        "def tower():\n"
        "    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])\n"
        "left = tower()\n"
        "x = keras.Input((3,))\n"
        "m = keras.Model(x, keras.layers.Dense(1)(left(x)))\n"
    )
    evidence = _probe(engine, tmp_path, source)
    (model,) = [m for m in evidence.models if m.name and m.span is not None and m.span.line == 6]
    assert "left" in model.objects and len(model.object_inputs["left"]) == 1
    assert evidence.tensors[model.object_inputs["left"][0]].shape == (None, 3)
