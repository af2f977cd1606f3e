"""Correct real-world-style programs (tests/realprograms) are checked to the end with no fault
reported, each reaching its data through a dry-run stub (downloads, data folders, tables, data
sets, checkpoints, plots, long training loops); a faulty variant of each still has its fault found
and the fix verified. One probe per correct program; the variants are fixed as a user would."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from graphfix.engine import Engine
from graphfix.ftypes import FixState

FOLDER = Path(__file__).parent / "realprograms"
STUBS = {  # program -> the stub notes its run must show (each kind of data access it makes)
    "flowers_urlretrieve.py": ("urllib.request.urlretrieve('flower_photos.tgz')",),
    "gradcam_urlopen.py": ("urllib.request.urlopen('african_elephant.jpg')",),
    "reviews_requests.py": ("requests.get('reviews_v1.zip')",),
    "series_csv_url.py": ("numpy.loadtxt(",),
    "digits_plot.py": ("keras.datasets.mnist.load_data", "savefig('accuracy.png'): drawn in memory", "plt.show: inert"),
    "heart_pandas.py": ("a small random table with the columns target, age, trestbps, chol, thalach, oldpeak, sex, fbs, exang",),
    "charrnn_get_file.py": ("get_file('corpus.txt'): a text", "a training loop stopped after 3 passes of 40",
                            "predict: repeated calls on a few rows call the model directly"),
    "vae_grid.py": ("get_file('mnist.npz'): a small .npz array file", "predict: repeated calls on a few rows"),
    "gan_loop.py": ("tf.train.CheckpointManager('./training_checkpoints'): written under a temporary directory",
                    "line 84: a training loop stopped after 3 passes", "line 82: a training loop stopped after 3 passes of 50"),
    "imdb_folder.py": ("command line: data_dir is required; given 'data'",
                       "text_dataset_from_directory('data/train'): the folder does not exist",
                       "text_dataset_from_directory('data/test'): the folder does not exist"),
    "cli_checkpoint.py": ("ModelCheckpoint('checkpoints/best.weights.h5'): written under a temporary directory",
                          "load_weights: read back from the temporary directory", "load_model: read back"),
    "filters_ascent.py": ("MobileNetV2(weights='imagenet'): built with weights=None", "a training loop stopped after 3 passes of 30"),
    "leaves_gdown.py": ("gdown.download('leaf_photos.zip'): a .zip archive of 2 class folders",),
}
NEEDS = {"reviews_requests.py": "requests", "digits_plot.py": "matplotlib", "heart_pandas.py": "pandas",
         "vae_grid.py": "matplotlib", "leaves_gdown.py": "gdown", "gan_loop.py": "matplotlib", "filters_ascent.py": "matplotlib"}
# program -> the fault graphfix must find and fix in a variant, and the edits that make the variant
TF = ("import keras\n", "import keras\nimport tensorflow as tf\n")
VARIANTS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "flowers_urlretrieve.py": ("GF502", (("Adam(learning_rate=1e-3)", "Adam(lr=1e-3)"),)),
    "gradcam_urlopen.py": ("GF102", (("GlobalAveragePooling2D()(last_conv)", "GlobalAveragePooling2D()(x)"),)),
    "reviews_requests.py": ("GF401", (TF, ("keras.layers.GlobalAveragePooling1D()(x)", "tf.reduce_mean(x, axis=1)"))),
    "series_csv_url.py": ("GF201", (("model.layers[0].output)", "model.layers[0].get_output_at(0))"),)),
    "digits_plot.py": ("GF201", (("model.layers[0].output)", "model.layers[0].get_output_at(0))"),)),
    "heart_pandas.py": ("GF401", (TF, ("keras.layers.concatenate([normalizer(numeric_in), binary_in])",
                                       "tf.concat([normalizer(numeric_in), binary_in], axis=-1)"))),
    "charrnn_get_file.py": ("GF202", (("hidden = keras.Model(model.inputs, model.layers[0].output)",
                                       "hidden = keras.backend.function(model.inputs, [model.layers[0].output])"),
                                      ("hidden.predict(x[:1], verbose=0)[0]", "hidden([x[:1]])[0][0]"))),
    "vae_grid.py": ("GF101", (("keras.Model(encoder_inputs, decoder(encoder(encoder_inputs)[2]))",
                               "keras.Model(encoder_inputs, decoder_outputs)"),)),
    "gan_loop.py": ("GF303", (("def train_step(images):\n",
                               "def train_step(images):\n    discriminator_optimizer = tf.keras.optimizers.Adam(1e-4)\n"),)),
    "imdb_folder.py": ("GF102", (('x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)',
                                 'conv = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)'),)),
    "cli_checkpoint.py": ("GF402", (("model.optimizer.learning_rate.assign(args.fine_tune_rate)",
                                     "keras.backend.set_value(model.optimizer.learning_rate, args.fine_tune_rate)"),)),
    "filters_ascent.py": ("GF103", (("keras.Model(base.inputs, base.get_layer(LAYER_NAME).output)",
                                     "keras.Model(classifier.inputs, classifier.layers[1].get_layer(LAYER_NAME).output)"),)),
    "leaves_gdown.py": ("GF102", (('x = keras.layers.Conv2D(16, 3, activation="relu")(x)',
                                   'features = keras.layers.Conv2D(16, 3, activation="relu")(x)'),)),
}


def variant(name: str) -> str:
    """The faulty variant of a program."""
    text = (FOLDER / name).read_text()
    for correct, faulty in VARIANTS[name][1]:
        assert text.count(correct) == 1, correct
        text = text.replace(correct, faulty)
    return text


def _summary(result: object) -> object:
    if not isinstance(result, dict):
        return result
    return {key: result.get(key) for key in ("status", "error", "exit_code", "keras", "stubbed")} | {"calls": len(result.get("calls") or [])}


def _needs(name: str) -> None:
    package = NEEDS.get(name)
    if package and importlib.util.find_spec(package) is None:
        pytest.skip(f"{package} is not installed")


@pytest.mark.parametrize("name", sorted(STUBS))
def test_a_correct_program_runs_to_the_end_with_no_fault(engine: Engine, name: str) -> None:
    _needs(name)
    outcome = engine.check(FOLDER / name)
    assert outcome.error is None and outcome.program_error is None, (outcome.error, outcome.program_error)
    assert outcome.faults == ()
    assert not any("timeout" in note for note in outcome.notes), outcome.notes
    for stub in STUBS[name]:
        assert any(stub in note for note in outcome.notes), (stub, outcome.notes)


def test_the_programs_leave_no_file_behind() -> None:
    assert sorted(p.name for p in FOLDER.iterdir() if p.name != "__pycache__") == sorted(STUBS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_faulty_variant_has_its_fault_found_and_fixed(engine: Engine, name: str) -> None:
    _needs(name)
    faulty = variant(name)
    outcome = engine.fix(FOLDER / name, text=faulty)
    found = [f.fault.code for f in outcome.faults]
    if found != [VARIANTS[name][0]]:  # say what the probes saw: which worker ran it, and how it ended
        seen = {flavor: (getattr(w, "last_reply", None), _summary(getattr(w, "last_result", None))) for flavor, w in engine._workers.items()}
        raise AssertionError((found, outcome.error, outcome.program_error, outcome.notes, seen))
    assert outcome.faults[0].state is FixState.VERIFIED, outcome.faults[0]
    assert outcome.fixed is not None and outcome.fixed != faulty
