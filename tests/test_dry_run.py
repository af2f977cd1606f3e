"""The dry run reaches the model in real programs: downloads and data folders answered with
synthetic files, predict keeping the rows programs index, display calls inert, the imports
`python script.py` sees, and the evidence of a probe that ran out of time kept. Each test probes a
small program the way a user's run would."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

from graphfix.cli import main
from graphfix.engine import Engine
from graphfix.ftypes import Evidence, ProbeStatus
from graphfix.probe import ProbeRequest

MODEL = (
    "x = keras.Input((4,))\n"
    "model = keras.Model(x, keras.layers.Dense(2)(x))\n"
)
FAULTY = (  # GF102: the decoder reads the input, not the code
    "import numpy as np\nimport tensorflow as tf\n"
    "input_img = tf.keras.layers.Input(shape=(64,))\n"
    "encoded = tf.keras.layers.Dense(8, activation='relu')(input_img)\n"
    "decoded = tf.keras.layers.Dense(64, activation='sigmoid')(input_img)\n"
    "autoencoder = tf.keras.models.Model(input_img, decoded)\n"
)


def _probe(engine: Engine, folder: Path, source: str, timeout: float = 60) -> Evidence:
    path = folder / "prog.py"
    path.write_text(source)
    evidence = engine.worker("keras3").probe(ProbeRequest(str(path), source, timeout=timeout))
    return evidence


def _ok(evidence: Evidence) -> str:
    assert evidence.status is ProbeStatus.OK, (evidence.error, evidence.output_tail[-1500:])
    return "\n".join(evidence.stubbed)


# -- downloads ----------------------------------------------------------------------------------

def test_get_file_answers_with_a_file_of_the_kind_its_name_says(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import csv, os, zipfile\nimport keras, tensorflow as tf\n"
        "jpg = keras.utils.get_file('elephant.jpg', 'https://i.imgur.com/Bvro0YD.png')\n"
        "assert tf.io.decode_jpeg(tf.io.read_file(jpg)).shape == (224, 224, 3)\n"
        "png = tf.keras.utils.get_file(origin='https://example.com/images/cat.png')\n"
        "assert tf.io.decode_png(tf.io.read_file(png)).shape == (224, 224, 3)\n"
        "text = open(keras.utils.get_file('nietzsche.txt', origin='https://s3.amazonaws.com/nietzsche.txt')).read()\n"
        "assert len(text) > 5000 and len(set(text)) > 10\n"
        "rows = list(csv.reader(open(keras.utils.get_file('data.csv', 'https://example.com/data.csv'))))\n"
        "assert len(rows) > 32 and all(len(r) == len(rows[0]) for r in rows)\n"
        "archive = keras.utils.get_file('photos.zip', 'https://example.com/photos.zip')\n"
        "assert len(zipfile.ZipFile(archive).namelist()) > 4\n"
        "assert not os.path.exists(os.path.join(os.getcwd(), 'elephant.jpg'))\n"
        + MODEL
    )))
    for name in ("elephant.jpg", "cat.png", "nietzsche.txt", "data.csv", "photos.zip"):
        assert f"get_file('{name}')" in stubbed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prog.py"]


def test_an_extracted_archive_is_a_folder_of_two_classes(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import os, keras\n"
        "root = keras.utils.get_file('flower_photos', origin='https://example.com/flower_photos.tgz', untar=True)\n"
        "assert sorted(os.listdir(root)) == ['class_a', 'class_b'], os.listdir(root)\n"
        "images = keras.utils.image_dataset_from_directory(root, image_size=(32, 32), batch_size=4)\n"
        "texts = keras.utils.text_dataset_from_directory(root, batch_size=4)\n"
        "assert images.class_names == texts.class_names == ['class_a', 'class_b']\n"
        "x, y = next(iter(images))\nassert tuple(x.shape[1:]) == (32, 32, 3)\n"
        "zipped = keras.utils.get_file('cats.zip', origin='https://example.com/cats.zip', extract=True)\n"
        "assert os.path.isdir(os.path.join(zipped, 'class_a'))\n"
        + MODEL
    )))
    assert "get_file('flower_photos.tgz'): a synthetic folder of 2 classes" in stubbed
    assert "get_file('cats.zip')" in stubbed


def test_tables_read_from_a_url(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import numpy as np, keras\n"
        "t = np.loadtxt('https://example.com/pima.csv', delimiter=',')\n"
        "g = np.genfromtxt('https://example.com/pima.csv', delimiter=',', usecols=(0, 1, 2))\n"
        "assert t.ndim == 2 and t.shape[0] >= 32 and g.shape[1] == 3\n"
        + MODEL
    )))
    assert "numpy.loadtxt('https://example.com/pima.csv'): a small random table" in stubbed
    assert "numpy.genfromtxt" in stubbed


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed")
def test_pandas_read_csv_from_a_url_has_the_columns_named(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import pandas as pd, keras\n"
        "df = pd.read_csv('https://example.com/heart.csv', names=['age', 'chol', 'target'])\n"
        "assert list(df.columns) == ['age', 'chol', 'target'] and len(df) >= 32\n"
        "local = pd.read_csv(__import__('io').StringIO('a,b\\n1,2\\n'))\nassert list(local.columns) == ['a', 'b']\n"
        + MODEL
    )))
    assert "pandas.read_csv('https://example.com/heart.csv'): a small random table with the columns age, chol, target" in stubbed


# -- data folders -------------------------------------------------------------------------------

def test_a_missing_data_folder_is_synthesized_for_each_loader(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import keras, tensorflow as tf\n"
        "train = keras.utils.text_dataset_from_directory('aclImdb/train', batch_size=8, validation_split=0.2, subset='training', seed=1)\n"
        "pets = tf.keras.utils.image_dataset_from_directory('PetImages', class_names=['Cat', 'Dog'], image_size=(64, 64))\n"
        "sounds = keras.utils.audio_dataset_from_directory('speech', batch_size=2)\n"
        "assert train.class_names == ['class_a', 'class_b'] and pets.class_names == ['Cat', 'Dog']\n"
        "texts, labels = next(iter(train))\nassert texts.dtype == tf.string\n"
        "assert len(sounds.class_names) == 2\n"
        + MODEL
    )))
    assert "text_dataset_from_directory('aclImdb/train'): the folder does not exist" in stubbed
    assert "image_dataset_from_directory('PetImages')" in stubbed and "audio_dataset_from_directory('speech')" in stubbed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prog.py"]


def test_an_existing_data_folder_is_read_as_it_is(engine: Engine, tmp_path: Path) -> None:
    for name in ("neg", "pos", "mixed"):
        (tmp_path / "reviews" / name).mkdir(parents=True)
        (tmp_path / "reviews" / name / "1.txt").write_text("fine")
    stubbed = _ok(_probe(engine, tmp_path, (
        "import keras\n"
        "ds = keras.utils.text_dataset_from_directory('reviews')\n"
        "assert ds.class_names == ['mixed', 'neg', 'pos']\n"
        + MODEL
    )))
    assert "dataset_from_directory" not in stubbed


# -- predict ------------------------------------------------------------------------------------

def test_predict_keeps_the_rows_programs_index(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import numpy as np, keras\n"
        "(_, _), (x_test, y_test) = keras.datasets.mnist.load_data()\n"
        "model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
        "model.compile('adam', 'sparse_categorical_crossentropy', metrics=['accuracy'])\n"
        "model.fit(x_test, y_test, epochs=30, verbose=0)\n"
        "predictions = model.predict(x_test, verbose=0)\n"
        "print(predictions[39].argmax(), predictions[100].argmax())\n"
        "accuracy = float(np.mean(predictions.argmax(axis=1) == y_test))\n"
        "assert predictions.shape == (len(x_test), 10)\n"
        "many = model.predict(np.zeros((3000, 28, 28)), verbose=0)\n"
        "assert len(many) == 1024\n"
    )))
    assert "predict: the first 1024 rows of a large input" in stubbed


def test_repeated_predict_on_a_few_rows_calls_the_model_directly(engine: Engine, tmp_path: Path) -> None:
    evidence = _probe(engine, tmp_path, (
        "import numpy as np, keras\n"
        "decoder = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16), keras.layers.Dense(4)])\n"
        "first = decoder.predict(np.zeros((1, 2)), verbose=0)\n"
        "for i in range(300):\n"
        "    out = decoder.predict(np.array([[i / 300, 0.5]]), verbose=0)\n"
        "    assert out.shape == (1, 4) and out.dtype == first.dtype\n"
        "assert np.allclose(decoder.predict(np.zeros((1, 2)), verbose=0), first, atol=1e-6)\n"
    ))
    assert "predict: repeated calls on a few rows call the model directly" in _ok(evidence)
    assert evidence.seconds < 15


# -- timeouts -----------------------------------------------------------------------------------

def test_a_timeout_keeps_the_evidence_gathered_until_then(engine: Engine, tmp_path: Path) -> None:
    evidence = _probe(engine, tmp_path, "import keras\n" + MODEL + "while True:\n    pass\n", timeout=3)
    assert evidence.status is ProbeStatus.ERROR and evidence.detail == "timed out"
    assert evidence.error is not None and evidence.error.type == "ProbeTimeout"
    assert evidence.error.span is not None and evidence.error.span.line in (4, 5)
    assert len(evidence.models) == 1 and len(evidence.calls) == 1
    assert "timed out: the evidence gathered until then was kept" in evidence.notes


def test_a_fault_before_a_long_loop_is_found_and_fixed(tmp_path: Path) -> None:
    program = tmp_path / "slow.py"
    program.write_text(FAULTY + "import time\nfor step in range(10**6):\n    time.sleep(0.01)\n")
    result = CliRunner().invoke(main, ["check", "--timeout", "4", str(program)])
    assert "slow.py:5:" in result.stderr and "GF102" in result.stderr, result.stderr
    fixed = CliRunner().invoke(main, ["fix", "--timeout", "4", str(program)])
    assert "GF102" in fixed.stderr and "[fix verified]" in fixed.stderr, fixed.stderr
    assert "(encoded)" in fixed.output


def test_a_program_that_hangs_before_any_model_still_times_out(engine: Engine, tmp_path: Path) -> None:
    evidence = _probe(engine, tmp_path, "import keras, time\ntime.sleep(600)\n", timeout=2)
    assert evidence.status is ProbeStatus.TIMEOUT


# -- display and imports ------------------------------------------------------------------------

def test_display_calls_are_inert(engine: Engine, tmp_path: Path) -> None:
    package = tmp_path / "IPython"  # the program's own IPython, so the test needs no install
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "display.py").write_text("def display(*a, **k):\n    raise RuntimeError('a window opened')\n")
    stubbed = _ok(_probe(engine, tmp_path, (
        "import os, keras\nfrom IPython.display import display\n"
        "assert os.environ['MPLBACKEND'] == 'agg'\n"
        + MODEL + "display(model)\n"
    )))
    assert "IPython.display.display: inert" in stubbed


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed")
def test_plt_show_is_inert(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, "import keras\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\n" + MODEL))
    assert "plt.show: inert" in stubbed


def test_the_probe_imports_what_python_script_py_imports(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "six.py").write_text("WHERE = 'local'\n")  # six is installed, and TensorFlow imported it already
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "helpers.py").write_text("WHERE = 'pythonpath'\n")
    monkeypatch.setenv("PYTHONPATH", str(extra))
    _ok(_probe(engine, tmp_path, (
        "import os, sys, keras, six, helpers\n"
        "assert six.WHERE == 'local', six.__file__\n"
        "assert helpers.WHERE == 'pythonpath'\n"
        f"assert sys.path[:2] == [{str(tmp_path)!r}, {str(extra)!r}], sys.path[:3]\n"
        "assert not any('graphfix' in p and 'runtime' in p for p in sys.path), sys.path\n"
        f"assert os.environ['PYTHONPATH'] == {str(extra)!r}\n"
        + MODEL
    )))


# -- the tree's summary -------------------------------------------------------------------------

def test_the_summary_says_how_many_programs_stopped_before_any_model(tmp_path: Path) -> None:
    (tmp_path / "a_reads_missing.py").write_text("import keras\nrows = open('missing.csv').read()\n" + MODEL)
    (tmp_path / "b_clean.py").write_text("import keras\n" + MODEL)
    result = CliRunner().invoke(main, ["fix", str(tmp_path)])
    summary = result.stderr.strip().splitlines()[-1]
    assert "2 files" in summary and summary.endswith(", 1 stopped before any model was seen"), result.stderr


def test_a_correct_program_stopped_by_the_clock_is_not_a_failure(tmp_path: Path) -> None:
    program = tmp_path / "long.py"
    program.write_text("import keras\n" + MODEL + "import time\nfor step in range(10**6):\n    time.sleep(0.01)\n")
    result = CliRunner().invoke(main, ["check", "--verbose", "--timeout", "4", str(program)])
    assert result.exit_code == 0, result.stderr
    assert "the program failed" not in result.stderr
    assert "still running at the probe's timeout" in result.stderr


def test_a_model_saved_in_the_run_loads_back(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import keras, numpy as np\n" + MODEL +
        "model.save('trained.keras')\n"
        "again = keras.models.load_model('trained.keras')\n"
        "assert again.count_params() == model.count_params()\n"
    )))
    assert "load_model: read back from the temporary directory" in stubbed
    assert not (tmp_path / "trained.keras").exists()


# -- other downloaders --------------------------------------------------------------------------

def test_urllib_downloads_answer_with_a_file_of_the_kind_the_url_says(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import os, tarfile, tempfile, urllib.request\nfrom urllib.request import urlretrieve\nimport keras, tensorflow as tf\n"
        "path, _ = urlretrieve('https://example.com/img/dog.jpg', os.path.join(tempfile.mkdtemp(), 'dog.jpg'))\n"
        "assert tf.io.decode_jpeg(tf.io.read_file(path)).shape == (224, 224, 3)\n"
        "archive, _ = urllib.request.urlretrieve('https://example.com/flowers.tgz')\n"
        "folder = tempfile.mkdtemp()\ntarfile.open(archive).extractall(folder)\n"
        "assert len(os.listdir(folder)) >= 2 and all(os.listdir(os.path.join(folder, d)) for d in os.listdir(folder))\n"
        "with urllib.request.urlopen('https://example.com/corpus.txt') as response:\n"
        "    text = response.read().decode()\n"
        "assert len(text) > 5000\n"
        + MODEL
    )))
    assert "urlretrieve('dog.jpg')" in stubbed and "urlopen('corpus.txt')" in stubbed


@pytest.mark.skipif(importlib.util.find_spec("requests") is None, reason="requests is not installed")
def test_requests_get_answers_with_synthetic_content(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import io, zipfile, requests\nimport keras\n"
        "r = requests.get('https://example.com/data/reviews.zip', stream=True)\nr.raise_for_status()\n"
        "assert len(zipfile.ZipFile(io.BytesIO(r.content)).namelist()) > 4\n"
        "lines = requests.get('https://example.com/notes.txt').text.splitlines()\nassert len(lines) > 32\n"
        "assert sum(len(c) for c in requests.get('https://example.com/a.png').iter_content(1024)) > 100\n"
        + MODEL
    )))
    assert "requests.get('reviews.zip')" in stubbed


def test_gdown_download_writes_a_synthetic_file_where_asked(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "gdown.py").write_text("def download(url=None, output=None, quiet=False, **kw):\n    raise OSError('network')\n")
    stubbed = _ok(_probe(engine, tmp_path, (
        "import os, tempfile, zipfile\nimport gdown\nimport keras\n"
        "out = os.path.join(tempfile.mkdtemp(), 'cats.zip')\n"
        "assert gdown.download('https://drive.google.com/uc?id=1abc', out, quiet=False) == out\n"
        "assert len(zipfile.ZipFile(out).namelist()) > 4\n"
        + MODEL
    )))
    assert "gdown.download('cats.zip')" in stubbed


# -- long loops, checkpoints, figures, table headers ----------------------------------------------

def test_training_loops_are_cut_to_a_few_passes_and_other_loops_run_in_full(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import numpy as np, tensorflow as tf, keras\n"
        "inputs = keras.Input((4,))\nmodel = keras.Model(inputs, keras.layers.Dense(2)(inputs))\n"
        "opt = keras.optimizers.SGD(0.1)\n"
        "data = tf.data.Dataset.from_tensor_slices(np.zeros((400, 4), 'float32')).batch(4)\n"
        "def step(x):\n"
        "    with tf.GradientTape() as tape:\n"
        "        loss = tf.reduce_mean(model(x))\n"
        "    opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))\n"
        "batches = epochs = 0\n"
        "for epoch in range(1000):\n"  # line 11: over epochs, training inside
        "    epochs += 1\n"
        "    for x in data:\n"  # line 13: each pass trains
        "        step(x)\n"
        "        batches += 1\n"
        "assert (epochs, batches) == (3, 9), (epochs, batches)\n"
        "outputs = []\n"
        "for i in range(500):\n"  # line 18: no training, all passes
        "    outputs.append(model(np.full((1, 4), i, 'float32')))\n"
        "assert len(outputs) == 500\n"
        "for trial in range(3):\n"  # line 21: trains, but no more passes than the cut
        "    model.compile('sgd', 'mse')\n"
        "    model.fit(np.zeros((8, 4)), np.zeros((8, 2)), verbose=0)\n"
        "assert trial == 2\n"
        "count = 0\n"
        "while count < 10**6:\n"  # line 26: a while loop that trains
        "    step(np.zeros((4, 4), 'float32'))\n"
        "    count += 1\n"
        "assert count == 3, count\n"
    )))
    assert "line 11: a training loop stopped after 3 passes of 1000" in stubbed
    assert "line 13: a training loop stopped after 3 passes of 100" in stubbed
    assert "line 26: a training loop stopped after 3 passes" in stubbed
    assert "line 18" not in stubbed and "line 21" not in stubbed


def test_checkpoints_are_written_under_a_temporary_directory_and_read_back(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import os, numpy as np, tensorflow as tf, keras\n" + MODEL +
        "model.compile('adam', 'mse')\n"
        "best = keras.callbacks.ModelCheckpoint(os.path.join('ckpt', 'best.weights.h5'), save_weights_only=True)\n"
        "model.fit(np.zeros((8, 4)), np.zeros((8, 2)), epochs=5, callbacks=[best], verbose=0)\n"
        "model.load_weights(os.path.join('ckpt', 'best.weights.h5'))\n"
        "checkpoint = tf.train.Checkpoint(model=model)\n"
        "manager = tf.train.CheckpointManager(checkpoint, './tf_ckpts', max_to_keep=2)\n"
        "manager.save()\nmanager.save()\n"
        "assert manager.latest_checkpoint.endswith('ckpt-2'), manager.latest_checkpoint\n"
        "assert tf.train.latest_checkpoint('./tf_ckpts') == manager.latest_checkpoint\n"
        "checkpoint.restore(tf.train.latest_checkpoint('./tf_ckpts')).assert_consumed()\n"
        "path = checkpoint.save('saved/model')\n"
        "checkpoint.restore(path).assert_consumed()\n"
        "checkpoint.write(os.path.join('weights', 'last'))\n"
        "checkpoint.read(os.path.join('weights', 'last')).assert_consumed()\n"
    )))
    assert "ModelCheckpoint('ckpt/best.weights.h5'): written under a temporary directory" in stubbed
    assert "load_weights: read back from the temporary directory" in stubbed
    assert "tf.train.CheckpointManager('./tf_ckpts'): written under a temporary directory" in stubbed
    assert "tf.train.Checkpoint.save('saved')" in stubbed and "tf.train.Checkpoint.write('weights')" in stubbed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prog.py"]


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="matplotlib is not installed")
def test_savefig_draws_the_figure_in_memory(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import io, keras\nimport matplotlib.pyplot as plt\n" + MODEL +
        "plt.plot([1, 2, 3])\nplt.savefig('loss.png')\nfig, ax = plt.subplots()\nfig.savefig('plots/grid.pdf', dpi=50)\n"
        "buffer = io.BytesIO()\nfig.savefig(buffer, format='png')\nassert buffer.getvalue().startswith(b'\\x89PNG')\n"
    )))
    assert "savefig('loss.png'): drawn in memory, not written" in stubbed and "savefig('grid.pdf')" in stubbed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prog.py"]


@pytest.mark.skipif(importlib.util.find_spec("pandas") is None, reason="pandas is not installed")
def test_a_table_has_the_columns_the_program_reads(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import pandas as pd, keras\n"
        "FEATURES = ['age', 'chol']\n"
        "frame = pd.read_csv('https://example.com/heart.csv')\n"
        "labels = frame.pop('target')\n"
        "x = frame[FEATURES].to_numpy()\n"
        "assert x.shape[1] == 2 and set(labels.unique()) <= {0, 1}, labels.unique()\n"
        "local = pd.read_csv('data/missing.csv')\n"
        "assert list(local.columns) == ['target', 'age', 'chol'], list(local.columns)\n"
        + MODEL
    )))
    assert "pandas.read_csv('https://example.com/heart.csv'): a small random table with the columns target, age, chol" in stubbed
    assert "pandas.read_csv('data/missing.csv'): the file does not exist; a small random table" in stubbed


def test_required_command_line_arguments_get_placeholders(engine: Engine, tmp_path: Path) -> None:
    stubbed = _ok(_probe(engine, tmp_path, (
        "import argparse, keras\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('data_dir')\n"
        "parser.add_argument('--epochs', type=int, required=True)\n"
        "parser.add_argument('--optimizer', choices=['sgd', 'adam'], required=True)\n"
        "parser.add_argument('--rate', type=float, default=0.5)\n"
        "args = parser.parse_args()\n"
        "assert (args.data_dir, args.epochs, args.optimizer, args.rate) == ('data', 1, 'sgd', 0.5), args\n"
        "assert parser.parse_args(['x', '--epochs', '3', '--optimizer', 'adam']).epochs == 3\n"
        + MODEL
    )))
    assert "command line: data_dir is required; given 'data'" in stubbed
    assert "command line: --epochs is required; given '1'" in stubbed and "--optimizer is required; given 'sgd'" in stubbed
