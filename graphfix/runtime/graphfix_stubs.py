"""Dry-run stubs and guards installed in each probe child (never in the warm worker itself).

A model-construction check does not need the user's data, pre-trained weights, long training,
files on disk or the network. These stubs make real scripts probe in seconds and harmlessly:

- ``keras.datasets.*.load_data()`` returns small random arrays with the real shapes and dtypes;
- ``keras.applications.*(weights="imagenet")`` builds with ``weights=None``;
- ``fit`` runs one epoch on at most a couple of small batches, ``evaluate`` on one small batch;
  Keras' own callbacks (TensorBoard, early stopping) are dropped, ``ModelCheckpoint`` writes under
  a temporary directory, the program's own callbacks run;
- the program's training ``for`` and ``while`` loops (passes that call a train step, ``fit``, a tape, directly or
  through its own functions; loops over epochs or iterations with training inside) stop after
  ``LOOP_PASSES`` passes; other loops run in full; ``predict`` keeps every row of small inputs (programs index its rows and compare
  them with their targets) and caps large ones; repeated ``predict`` calls on a few rows (a
  decoder sampled point by point) call the model directly;
- ``save``/``save_weights``/``plot_model`` and ``tf.train.Checkpoint``/``CheckpointManager``
  write into a temporary directory, where loading the program's path reads them back;
- downloads are answered with synthetic files of the kind the name says (``get_file``: an image,
  a text, a table, an archive of a small two-class folder tree), tables read from a URL
  (``pandas.read_csv``, ``numpy.loadtxt``/``genfromtxt``) or from a CSV file that is not there
  (``pandas.read_csv``) with a small random table whose header holds the columns the program
  reads, and a folder
  a ``*_dataset_from_directory`` loader reads that does not exist with a two-class tree;
- ``urllib.request.urlretrieve``/``urlopen``, ``requests.get`` and ``gdown.download`` answer with
  the same synthetic content, by the URL's or the output file's suffix (an archive unpacks to the
  two-class tree);
- display calls are inert (``MPLBACKEND=agg``, ``plt.show``, ``IPython.display.display``) and
  ``savefig`` to a path draws in memory;
- sockets cannot connect anywhere: other network access fails at once with a clear message;
- existing ``.py`` files cannot be written, truncated, renamed or deleted by the program.

Each stub records itself in ``STUBBED`` so ``--verbose`` can say what was replaced.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import os
import socket
import sys
import tempfile
from typing import Any

STUBBED: list[str] = []
SAMPLES = 1024  # rows of fake data per split (programs index rows past 100, or every 40th row, of the test split)
MAX_ROWS = 32  # rows fit/evaluate see
PREDICT_ROWS = 1024  # rows predict keeps of small inputs (correct programs index its rows)
PREDICT_BYTES = 32 * 1024**2  # ... as long as they hold at most this much data
DIRECT_PREDICT_AFTER = 4  # predict calls per model through Keras' own loop before direct calls


def _note(what: str) -> None:
    if what not in STUBBED:
        STUBBED.append(what)


# -- data sets --------------------------------------------------------------------------------

def _images(shape: tuple[int, ...], classes: int, label_shape: tuple[int, ...]) -> Any:
    import numpy as np

    rng = np.random.default_rng(0)

    def split() -> tuple[Any, Any]:
        x = rng.integers(0, 256, size=(SAMPLES, *shape), dtype=np.uint8)
        y = rng.integers(0, classes, size=(SAMPLES, *label_shape), dtype=np.uint8 if classes <= 255 else np.int64)
        return x, y

    return lambda *a, **k: (split(), split())


def _sequences(classes: int) -> Any:
    import numpy as np

    rng = np.random.default_rng(0)

    def split() -> tuple[Any, Any]:
        x = np.empty(SAMPLES, dtype=object)
        for i in range(SAMPLES):
            x[i] = list(rng.integers(1, 1000, size=int(rng.integers(5, 40))))
        return x, rng.integers(0, classes, size=(SAMPLES,)).astype(np.int64)

    return lambda *a, **k: (split(), split())


def _table(features: int) -> Any:
    import numpy as np

    rng = np.random.default_rng(0)
    return lambda *a, **k: (
        (rng.random((SAMPLES, features)), rng.random(SAMPLES) * 50),
        (rng.random((SAMPLES // 4, features)), rng.random(SAMPLES // 4) * 50),
    )


def _dataset_fakes() -> dict[str, Any]:
    return {
        "mnist": _images((28, 28), 10, ()),
        "fashion_mnist": _images((28, 28), 10, ()),
        "cifar10": _images((32, 32, 3), 10, (1,)),
        "cifar100": _images((32, 32, 3), 100, (1,)),
        "imdb": _sequences(2),
        "reuters": _sequences(46),
        "boston_housing": _table(13),
        "california_housing": _table(8),
    }


def _noting(function: Any, what: str) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _note(what)
        return function(*args, **kwargs)

    return wrapper


def stub_datasets() -> None:
    fakes = _dataset_fakes()
    for name, module in list(sys.modules.items()):
        if module is None or ".datasets." not in name:
            continue
        short = name.rsplit(".", 1)[-1]
        if short in fakes and hasattr(module, "load_data"):
            module.load_data = _noting(  # type: ignore[attr-defined]
                fakes[short], f"keras.datasets.{short}.load_data: random arrays of the real shapes")


# -- pre-trained weights ----------------------------------------------------------------------

def _without_weights(function: Any) -> Any:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        weights = kwargs.get("weights", "imagenet")
        if isinstance(weights, str):
            kwargs["weights"] = None
            _note(f"{function.__name__}(weights={weights!r}): built with weights=None")
        return function(*args, **kwargs)

    wrapper.__graphfix_stub__ = True  # type: ignore[attr-defined]
    return wrapper


def stub_applications() -> None:
    for name, module in list(sys.modules.items()):
        if module is None or ".applications" not in name:
            continue
        for attr, value in list(vars(module).items()):
            if not inspect.isfunction(value) or getattr(value, "__graphfix_stub__", False) or attr.startswith("_"):
                continue
            try:
                parameters = inspect.signature(value).parameters
            except (TypeError, ValueError):
                continue
            if "weights" in parameters and "include_top" in parameters:
                setattr(module, attr, _without_weights(value))


# -- training, saving -------------------------------------------------------------------------

def _head(value: Any, rows: int = MAX_ROWS, batches: int = 2) -> Any:
    """The first `rows` rows of array-like data (and of tf.data datasets: `batches` batches)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return type(value)(_head(v, rows, batches) for v in value)
    if isinstance(value, dict):
        return {k: _head(v, rows, batches) for k, v in value.items()}
    if hasattr(value, "take") and hasattr(value, "element_spec"):
        return value.take(batches)
    if hasattr(value, "shape") and hasattr(value, "__getitem__") and len(getattr(value, "shape", ())) > 0:
        return value[:rows]
    return value


def _arrays(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    if isinstance(value, dict):
        return [a for v in value.values() for a in _arrays(v)]
    if hasattr(value, "shape") and len(getattr(value, "shape", ())) > 0:
        return [value]
    return []


def _predict_rows(x: Any) -> int:
    """Rows predict keeps: all of a small input (a correct program indexes row 39 of the
    predictions or compares them with its 64 targets), fewer of one whose rows are large."""
    arrays = _arrays(x)
    if not arrays:
        return MAX_ROWS
    try:
        count = int(arrays[0].shape[0])
        row_bytes = sum(int(getattr(a, "nbytes", 0) or 0) // max(1, int(a.shape[0])) for a in arrays)
    except (TypeError, ValueError):
        return MAX_ROWS
    budget = PREDICT_BYTES // row_bytes if row_bytes else count
    return max(MAX_ROWS, min(count, PREDICT_ROWS, budget))


def _small_dataset(value: Any, batches: int = 8) -> bool:
    """A tf.data dataset of a few batches, known before iterating: predict keeps all of it."""
    try:
        count = int(value.cardinality())
    except Exception:
        return False
    return 0 <= count <= batches


def _direct(model: Any, x: Any) -> Any:
    """`predict` on a few rows, as a direct call: the same values without Keras' predict loop
    (adapters, callbacks, progress), which costs tens of milliseconds per call. Through the
    model's compiled predict function (`predict_on_batch`) where it has one: an eager call of a
    recurrent model costs as much as the loop."""
    import numpy as np

    try:
        return model.predict_on_batch(x)
    except Exception:  # a model whose predict step cannot take this batch as it is
        pass

    def numpy(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return type(value)(numpy(v) for v in value)
        if isinstance(value, dict):
            return {k: numpy(v) for k, v in value.items()}
        return np.asarray(value)

    return numpy(model(x, training=False))


PREDICT_CALLS: dict[int, int] = {}


def _is_generator_like(value: Any) -> bool:
    """Data whose length a probe cannot slice: Python generators, keras Sequences, iterators."""
    return value is not None and not hasattr(value, "shape") and not isinstance(value, (list, tuple, dict)) and not (
        hasattr(value, "take") and hasattr(value, "element_spec")
    )


def _user_callbacks(callbacks: Any) -> Any:
    """The callbacks the program wrote itself (their code may hold the fault: a Grad-CAM monitor
    at each epoch's end), and LambdaCallback, whose functions are the program's; Keras' own
    (checkpoints, TensorBoard, early stopping, schedules) are dropped."""
    if callbacks is not None and not isinstance(callbacks, (list, tuple)):
        return callbacks  # a CallbackList Keras passes on internally (fit -> evaluate): filtered already
    kept = []
    for callback in list(callbacks or []):
        module = type(callback).__module__ or ""
        if type(callback).__name__ == "LambdaCallback" or not module.startswith(("keras", "tf_keras", "tensorflow")):
            kept.append(callback)
        elif type(callback).__name__ == "ModelCheckpoint" and isinstance(getattr(callback, "filepath", None), str):
            _checkpoint_into_tmp(callback)
            kept.append(callback)
    return kept


def _checkpoint_into_tmp(callback: Any) -> None:
    """A ModelCheckpoint writes under the temporary directory, where `load_weights`/`load_model`
    of the path the program gave read it back (the program loads its best weights after fit)."""
    if SCRATCH is None or callback.filepath.startswith(SCRATCH):
        return
    original = callback.filepath
    target = os.path.join(tempfile.mkdtemp(prefix="checkpoint-", dir=SCRATCH), os.path.basename(original) or "checkpoint")
    callback.filepath = target
    _SAVED[os.path.abspath(original)] = target
    _note(f"ModelCheckpoint({original!r}): written under a temporary directory")


def _short_run(original: Any, label: str, training: bool) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind_partial(self, *args, **kwargs)
        values = bound.arguments
        if label == "predict":
            x = values.get("x")
            calls = PREDICT_CALLS[id(self)] = PREDICT_CALLS.get(id(self), 0) + 1
            arrays = _arrays(x)
            if (calls > DIRECT_PREDICT_AFTER and arrays and len(arrays) == 1 and arrays[0] is x and int(x.shape[0]) <= MAX_ROWS
                    and not values.get("callbacks") and values.get("steps") is None):
                _note("predict: repeated calls on a few rows call the model directly")
                return _direct(self, x)
            if "x" in values and not (_small_dataset(x) or _is_generator_like(x)):
                rows = _predict_rows(x)
                if arrays and rows < int(arrays[0].shape[0]):
                    _note(f"predict: the first {rows} rows of a large input")
                values["x"] = _head(x, rows)
        for key in ("x", "y", "validation_data", "sample_weight"):
            if key in values and not (label == "predict" and key == "x"):
                values[key] = _head(values[key])
        if "callbacks" in values:
            values["callbacks"] = _user_callbacks(values["callbacks"])
        steps_key = "steps_per_epoch" if training else "steps"
        if _is_generator_like(values.get("x")):
            values[steps_key] = 2
        elif values.get(steps_key) is not None:
            values[steps_key] = min(int(values[steps_key]), 2)
        if training:
            values["epochs"] = 1
            values.pop("initial_epoch", None)
            values.pop("validation_steps", None)
            if "validation_freq" in values:
                values["validation_freq"] = 1
        if training:
            _note(f"{label}: one epoch on a couple of small batches, the program's own callbacks only")
        elif label != "predict":
            _note(f"{label}: a small batch")
        return original(*bound.args, **bound.kwargs)

    return run


_SAVED: dict[str, str] = {}  # the path a program saved to -> where the dry run wrote it
SCRATCH: str | None = None  # the probe's temporary directory (set by install)


def _into_tmp(original: Any, label: str, directory: str) -> Any:
    @functools.wraps(original)
    def save(self: Any, filepath: Any = None, *args: Any, **kwargs: Any) -> Any:
        if os.path.abspath(str(filepath)).startswith(directory):  # a ModelCheckpoint's, redirected already
            return original(self, filepath, *args, **kwargs)
        target = os.path.join(directory, os.path.basename(str(filepath)) or "saved")
        _SAVED[os.path.abspath(str(filepath))] = target
        _note(f"{label}: written under a temporary directory")
        return original(self, target, *args, **kwargs)

    return save


def _redirected(path: Any) -> str | None:
    """Where the dry run wrote what the program saved at `path`: a file it redirected, or a path
    under a folder it redirected (a checkpoint directory)."""
    try:
        full = os.path.abspath(os.fspath(path))
    except TypeError:
        return None
    if full in _SAVED:
        return _SAVED[full]
    for original, target in _SAVED.items():
        if full.startswith(original + os.sep):
            return target + full[len(original):]
    return None


def _from_tmp(original: Any, label: str, method: bool) -> Any:
    """Loading what the program saved earlier in the run reads it where the dry run wrote it."""

    @functools.wraps(original)
    def load(*args: Any, **kwargs: Any) -> Any:
        position = 1 if method else 0
        if len(args) > position:
            saved = _redirected(args[position])
            if saved is not None:
                args = (*args[:position], saved, *args[position + 1:])
                _note(f"{label}: read back from the temporary directory")
        return original(*args, **kwargs)

    return load


def stub_training(directory: str) -> None:
    try:
        from keras.src.models.model import Model as K3Model

        _stub_model(K3Model, directory)
    except Exception:
        pass

    def tf_keras_model() -> None:
        try:
            from tf_keras.src.engine.training import Model as TFKModel

            _stub_model(TFKModel, directory)
            _stub_loading("tf_keras")
        except Exception:
            pass

    legacy = os.environ.get("TF_USE_LEGACY_KERAS", "").lower() in ("1", "true", "yes")
    if "tf_keras" in sys.modules or legacy:  # under tf-keras every `tf.keras` alias must be stubbed up front
        tf_keras_model()
    else:  # importing tf_keras costs a second: only when the program imports it
        import graphfix_recorder

        graphfix_recorder.install_on_import("tf_keras", tf_keras_model)
    _stub_loading()


def _stub_model(cls: Any, directory: str) -> None:
    cls.fit = _short_run(cls.fit, "fit", training=True)
    cls.evaluate = _short_run(cls.evaluate, "evaluate", training=False)
    cls.predict = _short_run(cls.predict, "predict", training=False)
    cls.save = _into_tmp(cls.save, "save", directory)
    cls.save_weights = _into_tmp(cls.save_weights, "save_weights", directory)
    cls.load_weights = _from_tmp(cls.load_weights, "load_weights", method=True)


def _stub_loading(prefix: str = "") -> None:
    for name, module in list(sys.modules.items()):
        if not name.startswith(prefix):
            continue
        if module is not None and name.endswith((".models", ".saving", ".saving_api")) and callable(getattr(module, "load_model", None)):
            module.load_model = _from_tmp(module.load_model, "load_model", method=False)  # type: ignore[attr-defined]
        if module is not None and name.endswith(".utils") and hasattr(module, "plot_model"):
            module.plot_model = lambda *a, **k: _note("plot_model: skipped")  # type: ignore[attr-defined]


def _folder_into_tmp(folder: Any, label: str) -> str:
    """A temporary folder standing for the program's `folder` (the same one each time it is named)."""
    original = os.path.abspath(os.fspath(folder))
    target = _SAVED.get(original)
    if target is None:
        target = _SAVED[original] = tempfile.mkdtemp(prefix="checkpoints-", dir=SCRATCH)
    _note(f"{label}({os.fspath(folder)!r}): written under a temporary directory")
    return target


def _patch_tf_checkpoints(tf: Any) -> None:
    """tf.train.Checkpoint and CheckpointManager write under the temporary directory; restoring or
    asking for the latest checkpoint of the program's path reads from there."""
    manager_init = tf.train.CheckpointManager.__init__

    @functools.wraps(manager_init)
    def init(self: Any, checkpoint: Any, directory: Any, *args: Any, **kwargs: Any) -> None:
        manager_init(self, checkpoint, _folder_into_tmp(directory, "tf.train.CheckpointManager"), *args, **kwargs)

    def writer(original: Any) -> Any:
        @functools.wraps(original)
        def write(self: Any, file_prefix: Any, *args: Any, **kwargs: Any) -> Any:
            prefix = os.fspath(file_prefix)
            if SCRATCH is not None and os.path.abspath(prefix).startswith(SCRATCH):  # a manager's own save
                return original(self, prefix, *args, **kwargs)
            target = _redirected(prefix)
            if target is None:
                folder = _folder_into_tmp(os.path.dirname(prefix) or ".", f"tf.train.Checkpoint.{original.__name__}")
                target = os.path.join(folder, os.path.basename(prefix))
            return original(self, target, *args, **kwargs)

        return write

    def reader(original: Any) -> Any:
        @functools.wraps(original)
        def read(self: Any, save_path: Any, *args: Any, **kwargs: Any) -> Any:
            return original(self, (_redirected(save_path) or save_path) if save_path is not None else None, *args, **kwargs)

        return read

    latest = tf.train.latest_checkpoint

    @functools.wraps(latest)
    def latest_checkpoint(checkpoint_dir: Any, *args: Any, **kwargs: Any) -> Any:
        return latest(_redirected(checkpoint_dir) or checkpoint_dir, *args, **kwargs)

    tf.train.CheckpointManager.__init__ = init
    tf.train.Checkpoint.save = writer(tf.train.Checkpoint.save)
    tf.train.Checkpoint.write = writer(tf.train.Checkpoint.write)
    tf.train.Checkpoint.restore = reader(tf.train.Checkpoint.restore)
    tf.train.Checkpoint.read = reader(tf.train.Checkpoint.read)
    tf.train.latest_checkpoint = latest_checkpoint


def stub_checkpoints() -> None:
    after_import("tensorflow", _patch_tf_checkpoints)


# -- downloads and data folders ---------------------------------------------------------------

IMAGE_SIDE = 224  # a downloaded image: the size the programs that load one resize it to
TREE_CLASSES = ("class_a", "class_b")
TREE_FILES = 6  # files of each kind per class in a synthesized folder tree
ARCHIVES = (".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".tar")
WORDS = ("the model reads a short review of a film that was good or bad and learns which words matter "
         "most while the data stays small enough for a quick dry run of the program").split()


def _png(width: int, height: int, seed: int = 0) -> bytes:
    """An RGB PNG written with the standard library: a smooth gradient, so it looks like an image."""
    import struct
    import zlib

    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows += bytes(((x * 255) // max(1, width - 1), (y * 255) // max(1, height - 1), (x + y + seed * 40) % 256))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b"")


def _jpeg(width: int, height: int, seed: int = 0) -> bytes:
    """A JPEG encoded by TensorFlow (imported already); a PNG when it is not there (image
    readers look at the bytes, not the name)."""
    try:
        import numpy as np
        import tensorflow as tf

        x = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
        y = np.linspace(0, 255, height, dtype=np.float32)[:, None, None]
        image = np.concatenate([np.broadcast_to(x, (height, width, 1)), np.broadcast_to(y, (height, width, 1)),
                                np.full((height, width, 1), (seed * 40) % 256, np.float32)], axis=-1)
        return bytes(tf.io.encode_jpeg(image.astype(np.uint8)).numpy())
    except Exception:
        return _png(width, height, seed)


def _text(lines: int = 200, seed: int = 0) -> str:
    import random

    rng = random.Random(seed)
    return "\n".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))) + "." for _ in range(lines)) + "\n"


LABELS = frozenset({"label", "labels", "target", "class", "y", "outcome", "survived", "diagnosis"})  # 0/1 columns


def _csv(columns: list[str] | None = None, rows: int = SAMPLES) -> str:
    """A table with the given columns, else the columns the program reads, else a few features
    and a label."""
    import random

    rng = random.Random(0)
    names = columns or PROGRAM_COLUMNS or [f"feature_{i}" for i in range(4)] + ["label"]
    body = [",".join(names)]
    for _ in range(rows):
        body.append(",".join(str(rng.randint(0, 1)) if name.lower() in LABELS else f"{rng.random():.4f}" for name in names))
    return "\n".join(body) + "\n"


def _wav(seconds: float = 0.25, rate: int = 16000) -> bytes:
    import io
    import math
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            frames += int(8000 * math.sin(2 * math.pi * 440 * i / rate)).to_bytes(2, "little", signed=True)
        handle.writeframes(bytes(frames))
    return buffer.getvalue()


def synthesize_tree(root: str, classes: tuple[str, ...] | list[str] = TREE_CLASSES) -> str:
    """A small classification folder: one subfolder per class holding a few tiny images, texts
    and sounds (each `*_dataset_from_directory` loader picks the kind it reads)."""
    for number, name in enumerate(classes):
        folder = os.path.join(root, str(name))
        os.makedirs(folder, exist_ok=True)
        for i in range(TREE_FILES):
            with open(os.path.join(folder, f"{i}.jpg"), "wb") as handle:
                handle.write(_jpeg(64, 64, number * TREE_FILES + i))
            with open(os.path.join(folder, f"{i}.txt"), "w", encoding="utf-8") as handle:
                handle.write(_text(3, number * TREE_FILES + i))
            if i < 2:
                with open(os.path.join(folder, f"{i}.wav"), "wb") as handle:
                    handle.write(_wav())
    return root


def _suffix(name: str) -> str:
    lowered = name.lower()
    for archive in ARCHIVES:
        if lowered.endswith(archive):
            return archive
    return os.path.splitext(lowered)[1]


def _archive(path: str, suffix: str, tree: str) -> None:
    """A real archive of `tree`, so a program that unpacks it itself finds the same files."""
    if suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:
            for folder, _, files in os.walk(tree):
                for name in files:
                    full = os.path.join(folder, name)
                    archive.write(full, os.path.relpath(full, tree))
        return
    import tarfile

    mode = {".tar": "w", ".tar.bz2": "w:bz2", ".tbz": "w:bz2", ".tar.xz": "w:xz"}.get(suffix, "w:gz")
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        for name in sorted(os.listdir(tree)):
            archive.add(os.path.join(tree, name), name)


def write_synthetic(path: str, name: str, scratch: str) -> str:
    """A file at `path` of the kind `name` says; returns the kind, for the stub's note."""
    suffix = _suffix(name)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if suffix in ARCHIVES:
        tree = synthesize_tree(tempfile.mkdtemp(prefix="tree-", dir=scratch))
        _archive(path, suffix, tree)
        return f"a {suffix} archive of {len(TREE_CLASSES)} class folders"
    if suffix in (".jpg", ".jpeg"):
        data, kind = _jpeg(IMAGE_SIDE, IMAGE_SIDE), f"a {IMAGE_SIDE}x{IMAGE_SIDE} JPEG image"
    elif suffix in (".png", ".gif", ".bmp", ".webp"):
        data, kind = _png(IMAGE_SIDE, IMAGE_SIDE), f"a {IMAGE_SIDE}x{IMAGE_SIDE} image"
    elif suffix == ".csv":
        data, kind = _csv().encode(), "a small CSV table"
    elif suffix == ".wav":
        data, kind = _wav(), "a short WAV sound"
    elif suffix in (".npy", ".npz"):
        import io

        import numpy as np

        buffer = io.BytesIO()
        rng = np.random.default_rng(0)
        if suffix == ".npy":
            np.save(buffer, rng.random((SAMPLES, 8)).astype(np.float32))
        else:
            np.savez(buffer, x_train=rng.integers(0, 256, (SAMPLES, 28, 28), dtype=np.uint8), y_train=rng.integers(0, 10, SAMPLES),
                     x_test=rng.integers(0, 256, (SAMPLES, 28, 28), dtype=np.uint8), y_test=rng.integers(0, 10, SAMPLES))
        data, kind = buffer.getvalue(), f"a small {suffix} array file"
    elif suffix in (".h5", ".hdf5", ".keras", ".pb", ".ckpt", ".pt", ".pth", ".bin", ".onnx", ".pkl", ".pickle"):
        data, kind = b"", "an empty file (its content cannot be imitated)"
    elif suffix == ".json":
        data, kind = b"{}\n", "an empty JSON object"
    else:
        data, kind = _text().encode(), "a text of a few thousand words"
    with open(path, "wb") as handle:
        handle.write(data)
    return kind


def _fake_get_file(original: Any, scratch: str) -> Any:
    signature = inspect.signature(original)
    legacy = not (original.__module__ or "").startswith("keras.")  # tf-keras returns the archive's path

    @functools.wraps(original)
    def get_file(*args: Any, **kwargs: Any) -> Any:
        import urllib.parse

        values = signature.bind_partial(*args, **kwargs).arguments
        origin = str(values.get("origin") or "")
        fname = os.fspath(values["fname"]) if values.get("fname") else ""
        name = os.path.basename(fname) or os.path.basename(urllib.parse.urlsplit(origin).path) or "download"
        if not _suffix(name) and _suffix(urllib.parse.urlsplit(origin).path):
            name += _suffix(urllib.parse.urlsplit(origin).path)
        folder = os.path.join(scratch, "downloads", str(values.get("cache_subdir") or "datasets"))
        os.makedirs(folder, exist_ok=True)
        extract = bool(values.get("extract") or values.get("untar"))
        suffix = _suffix(name)
        if extract and suffix not in ARCHIVES:
            suffix = ".tar.gz"
        if extract:
            stem = name[: name.find(".")] if "." in name else name
            target = os.path.join(folder, name if "." in name else f"{name}_archive")
            write_synthetic(target, f"x{suffix}", scratch)
            extracted = os.path.join(folder, stem if legacy or "." not in name else f"{stem}_extracted")
            synthesize_tree(extracted)
            _note(f"get_file({name!r}): a synthetic folder of {len(TREE_CLASSES)} classes of tiny images, texts and sounds"
                  " under a temporary directory")
            return target if legacy else extracted
        target = os.path.join(folder, name)
        kind = write_synthetic(target, name, scratch)
        _note(f"get_file({name!r}): {kind} under a temporary directory")
        return target

    get_file.__graphfix_stub__ = True  # type: ignore[attr-defined]
    return get_file


def _replace_everywhere(replacements: dict[int, Any]) -> None:
    """Bind each replacement (by `id` of the original) wherever a loaded module holds the
    original: keras.utils, tf.keras.utils, keras.preprocessing, the defining module (modules
    imported later take it from there). One pass over the modules: there are thousands."""
    for module in list(sys.modules.values()):
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for name, value in items:
            replacement = replacements.get(id(value))
            if replacement is not None and inspect.isfunction(value):
                setattr(module, name, replacement)


def _functions_named(name: str) -> list[Any]:
    found: list[Any] = []
    for module_name, module in list(sys.modules.items()):
        if module is None or not module_name.startswith(("keras", "tf_keras", "tensorflow")):
            continue
        try:
            value = vars(module).get(name)  # not getattr: a lazy module would import on the spot
        except TypeError:
            continue
        if inspect.isfunction(value) and not getattr(value, "__graphfix_stub__", False) and all(value is not f for f in found):
            found.append(value)
    return found


def stub_downloads(scratch: str) -> dict[int, Any]:
    return {id(original): _fake_get_file(original, scratch) for original in _functions_named("get_file")}


def _missing_folder(original: Any, scratch: str) -> Any:
    """A `*_dataset_from_directory` loader that reads a synthesized two-class folder when the
    program's folder does not exist (a download or shell step the dry run did not take)."""
    signature = inspect.signature(original)

    @functools.wraps(original)
    def loader(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind_partial(*args, **kwargs)
        directory = bound.arguments.get("directory")
        if directory is not None and not os.path.exists(os.fspath(directory)):
            classes = bound.arguments.get("class_names") or TREE_CLASSES
            safe = os.fspath(directory).strip("/").replace("/", "_").replace("..", "_") or "data"
            root = os.path.join(scratch, "folders", safe)
            if not os.path.isdir(root):
                synthesize_tree(root, list(classes))
            bound.arguments["directory"] = root
            _note(f"{original.__name__}({os.fspath(directory)!r}): the folder does not exist; read a synthetic one of"
                  f" {len(classes)} classes of tiny files")
        return original(*bound.args, **bound.kwargs)

    loader.__graphfix_stub__ = True  # type: ignore[attr-defined]
    return loader


def stub_data_folders(scratch: str) -> dict[int, Any]:
    return {
        id(original): _missing_folder(original, scratch)
        for name in ("image_dataset_from_directory", "text_dataset_from_directory", "audio_dataset_from_directory")
        for original in _functions_named(name)
    }


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.split("://", 1)[0].lower() in ("http", "https", "ftp", "s3", "gs", "gcs")


def _missing_table(value: Any) -> bool:
    """A table file the program reads that is not there (a download step the dry run did not take)."""
    if not isinstance(value, (str, os.PathLike)) or _is_url(value):
        return False
    name = os.fspath(value)
    return isinstance(name, str) and _suffix(name) in (".csv", ".tsv", ".data") and not os.path.exists(name)


def _columns(names: Any, usecols: Any) -> list[str] | None:
    for given in (names, usecols):
        if given is not None and not callable(given) and not isinstance(given, str):
            listed = [str(c) for c in given]
            if listed and not all(isinstance(c, int) for c in given):
                return listed
    return None


def _patch_pandas(module: Any) -> None:
    original = getattr(module, "read_csv", None)
    if original is None or getattr(original, "__graphfix_stub__", False):
        return

    @functools.wraps(original)
    def read_csv(filepath_or_buffer: Any = None, *args: Any, **kwargs: Any) -> Any:
        missing = _missing_table(filepath_or_buffer)
        if not (_is_url(filepath_or_buffer) or missing):
            return original(filepath_or_buffer, *args, **kwargs)
        import io

        columns = _columns(kwargs.get("names"), kwargs.get("usecols")) or PROGRAM_COLUMNS
        given = {k: v for k, v in kwargs.items() if k in ("index_col", "dtype", "parse_dates", "na_values", "skipinitialspace")}
        _note(f"pandas.read_csv({os.fspath(filepath_or_buffer)!r}): " + ("the file does not exist; " if missing else "")
              + "a small random table" + (f" with the columns {', '.join(columns)}" if columns else ""))
        return original(io.StringIO(_csv(columns or None)), **given)

    read_csv.__graphfix_stub__ = True  # type: ignore[attr-defined]
    module.read_csv = read_csv


def _table_loader(original: Any, label: str) -> Any:
    @functools.wraps(original)
    def load(fname: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_url(fname):
            return original(fname, *args, **kwargs)
        import numpy as np

        usecols = kwargs.get("usecols")
        count = 1 if isinstance(usecols, int) else (len(usecols) if usecols is not None else 8)
        _note(f"numpy.{label}({fname!r}): a small random table")
        table = np.random.default_rng(0).random((SAMPLES, count))
        return table[:, 0] if isinstance(usecols, int) else table

    load.__graphfix_stub__ = True  # type: ignore[attr-defined]
    return load


def stub_tables() -> None:
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        for label in ("loadtxt", "genfromtxt"):
            original = getattr(numpy, label, None)
            if original is not None and not getattr(original, "__graphfix_stub__", False):
                setattr(numpy, label, _table_loader(original, label))
    after_import("pandas", _patch_pandas)


# -- display ------------------------------------------------------------------------------------

def _inert(label: str) -> Any:
    def nothing(*args: Any, **kwargs: Any) -> None:
        _note(f"{label}: inert")

    return nothing


def _patch_savefig(module: Any) -> None:
    """`savefig` to a path draws the figure in memory: the dry run leaves no file behind (the
    drawing itself runs, so a figure that cannot be drawn still fails)."""
    original = module.Figure.savefig
    if getattr(original, "__graphfix_stub__", False):
        return

    @functools.wraps(original)
    def savefig(self: Any, fname: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(fname, (str, os.PathLike)):
            return original(self, fname, *args, **kwargs)
        import io

        suffix = os.path.splitext(os.fspath(fname))[1].lstrip(".").lower()
        if "format" not in kwargs:
            kwargs["format"] = suffix if suffix in self.canvas.get_supported_filetypes() else "png"
        _note(f"savefig({os.path.basename(os.fspath(fname))!r}): drawn in memory, not written")
        return original(self, io.BytesIO(), *args, **kwargs)

    savefig.__graphfix_stub__ = True  # type: ignore[attr-defined]
    module.Figure.savefig = savefig


def stub_display() -> None:
    os.environ["MPLBACKEND"] = "agg"  # no window, no GUI toolkit: figures are drawn in memory only
    after_import("matplotlib.figure", _patch_savefig)
    after_import("matplotlib.pyplot", lambda module: setattr(module, "show", _inert("plt.show")))
    after_import("IPython.display", lambda module: setattr(module, "display", _inert("IPython.display.display")))
    after_import("IPython.core.display_functions", lambda module: setattr(module, "display", _inert("IPython.display.display")))


class _AfterImport:
    """A meta-path finder that patches a module right after it is imported (the import itself
    is left to the other finders)."""

    def __init__(self) -> None:
        self.actions: dict[str, list[Any]] = {}

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        actions = self.actions.pop(fullname, None)
        if actions is None:
            return None
        spec = None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _PatchingLoader(spec.loader, actions)  # type: ignore[assignment]
        return spec


class _PatchingLoader:
    def __init__(self, loader: Any, actions: list[Any]) -> None:
        self._loader = loader
        self._actions = actions

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        for action in self._actions:
            try:
                action(module)
            except Exception:  # a stub that does not fit this version: the real function stays
                pass


_FINDER = _AfterImport()


def after_import(name: str, action: Any) -> None:
    """Run `action(module)` once `name` is imported (at once when it is already)."""
    module = sys.modules.get(name)
    if module is not None:
        try:
            action(module)
        except Exception:
            pass
        return
    _FINDER.actions.setdefault(name, []).append(action)
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


# -- other downloaders: urllib, requests, gdown ----------------------------------------------

def _url_name(url: Any) -> str:
    import urllib.parse

    text = str(getattr(url, "full_url", url) or "")
    return os.path.basename(urllib.parse.urlsplit(text).path) or "download"


def _synthetic_bytes(name: str, scratch: str) -> tuple[bytes, str]:
    path = os.path.join(tempfile.mkdtemp(prefix="web-", dir=scratch), name)
    kind = write_synthetic(path, name, scratch)
    with open(path, "rb") as handle:
        return handle.read(), kind


def _download_to(target: str | None, name: str, scratch: str, label: str) -> str:
    if not target:
        target = os.path.join(tempfile.mkdtemp(prefix="web-", dir=scratch), name)
    elif target.endswith(os.sep) or os.path.isdir(target):
        target = os.path.join(target, name)
    kind = write_synthetic(target, name if _suffix(name) or not _suffix(target) else target, scratch)
    _note(f"{label}({name!r}): {kind}")
    return target


class _Response:
    """What urlopen returns, over synthetic bytes."""

    def __init__(self, url: str, data: bytes) -> None:
        import email.message
        import io

        self._body = io.BytesIO(data)
        self.url, self.status, self.code = url, 200, 200
        self.headers = email.message.Message()
        self.headers["Content-Length"] = str(len(data))

    def read(self, *args: Any) -> bytes:
        return self._body.read(*args)

    def readline(self, *args: Any) -> bytes:
        return self._body.readline(*args)

    def __iter__(self) -> Any:
        return iter(self._body)

    def getcode(self) -> int:
        return 200

    def geturl(self) -> str:
        return self.url

    def info(self) -> Any:
        return self.headers

    def close(self) -> None:
        pass

    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass


def _patch_urllib(module: Any, scratch: str) -> None:
    def urlretrieve(url: Any, filename: Any = None, *args: Any, **kwargs: Any) -> Any:
        import email.message

        path = _download_to(os.fspath(filename) if filename else None, _url_name(url), scratch, "urllib.request.urlretrieve")
        return path, email.message.Message()

    def urlopen(url: Any, *args: Any, **kwargs: Any) -> Any:
        data, kind = _synthetic_bytes(_url_name(url), scratch)
        _note(f"urllib.request.urlopen({_url_name(url)!r}): {kind}")
        return _Response(str(getattr(url, "full_url", url)), data)

    for function in (urlretrieve, urlopen):
        function.__graphfix_stub__ = True  # type: ignore[attr-defined]
        setattr(module, function.__name__, function)


def _patch_requests(module: Any, scratch: str) -> None:
    def get(url: Any, *args: Any, **kwargs: Any) -> Any:
        data, kind = _synthetic_bytes(_url_name(url), scratch)
        _note(f"requests.get({_url_name(url)!r}): {kind}")
        response = module.models.Response()
        response._content, response._content_consumed = data, True
        response.status_code, response.url, response.encoding = 200, str(url), "utf-8"
        response.headers["Content-Length"] = str(len(data))
        return response

    get.__graphfix_stub__ = True  # type: ignore[attr-defined]
    module.get = get
    module.api.get = get


def _patch_gdown(module: Any, scratch: str) -> None:
    def download(url: Any = None, output: Any = None, *args: Any, **kwargs: Any) -> Any:
        name = os.path.basename(os.fspath(output)) if output and not os.fspath(output).endswith(os.sep) else ""
        return _download_to(os.fspath(output) if output else None, name or _url_name(url or kwargs.get("id")), scratch, "gdown.download")

    download.__graphfix_stub__ = True  # type: ignore[attr-defined]
    module.download = download


def stub_web(scratch: str) -> None:
    after_import("urllib.request", lambda module: _patch_urllib(module, scratch))
    after_import("requests", lambda module: _patch_requests(module, scratch))
    after_import("gdown", lambda module: _patch_gdown(module, scratch))


# -- network and the user's files -------------------------------------------------------------

class NetworkDisabled(OSError):
    pass


def block_network() -> None:
    original_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _note("network: blocked")
            raise NetworkDisabled(f"graphfix probe: network access is disabled (connect to {address!r}); use --no-stubs to allow it")
        return original_connect(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        _note("network: blocked")
        raise NetworkDisabled(f"graphfix probe: network access is disabled (connect to {address!r}); use --no-stubs to allow it")

    socket.create_connection = create_connection  # type: ignore[assignment]


def protect_sources() -> None:
    """Refuse, from inside the probed program, any change to an existing .py file."""

    def is_source(path: Any) -> bool:
        try:
            text = os.fsdecode(path) if not isinstance(path, int) else ""
        except TypeError:
            return False
        return text.endswith((".py", ".ipynb")) and os.path.exists(text)

    def contains_sources(path: Any) -> bool:
        try:
            for _, _, files in os.walk(os.fsdecode(path)):
                if any(f.endswith((".py", ".ipynb")) for f in files):
                    return True
        except (TypeError, OSError):
            return False
        return False

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and len(args) >= 2 and isinstance(args[1], str) and any(c in args[1] for c in "wax+"):
            if is_source(args[0]):
                raise PermissionError(f"graphfix probe: writing {args[0]!r} is not allowed")
        elif event == "open" and len(args) >= 3 and isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_TRUNC):
            if is_source(args[0]):
                raise PermissionError(f"graphfix probe: writing {args[0]!r} is not allowed")
        elif event in ("os.remove", "os.truncate", "os.chmod") and args and is_source(args[0]):
            raise PermissionError(f"graphfix probe: {event} on {args[0]!r} is not allowed")
        elif event in ("os.rename", "os.link", "os.symlink") and len(args) >= 2 and (is_source(args[0]) or is_source(args[1])):
            raise PermissionError(f"graphfix probe: {event} of {args[0]!r} is not allowed")
        elif event in ("os.rmdir", "shutil.rmtree") and args and contains_sources(args[0]):
            raise PermissionError(f"graphfix probe: deleting {args[0]!r} (it holds sources) is not allowed")

    sys.addaudithook(hook)


# -- command-line arguments ------------------------------------------------------------------

def _placeholder(action: Any) -> list[str]:
    """Values for a required argument the probe was not given: the first choice, a number for
    a number, else a name (a missing data folder of that name is synthesized by its loader)."""
    if action.choices:
        value = str(next(iter(action.choices)))
    elif action.type is int:
        value = "1"
    elif action.type is float:
        value = "0.1"
    else:
        value = "data"
    count = action.nargs if isinstance(action.nargs, int) else 1
    return [value] * count


def _patch_argparse(module: Any) -> None:
    original = module.ArgumentParser.parse_known_args

    @functools.wraps(original)
    def parse_known_args(self: Any, args: Any = None, namespace: Any = None) -> Any:
        if args is not None:  # the program's own list: as it is
            return original(self, args, namespace)
        given = list(sys.argv[1:])
        positional: list[str] = []  # placeholders of required positionals (when none was given)
        options: list[str] = []  # required options that were not given, with placeholders
        for action in self._actions:
            if isinstance(action, module._SubParsersAction) or not action.required:
                continue
            if action.option_strings:
                if any(a == o or a.startswith(o + "=") for a in given for o in action.option_strings):
                    continue
                options += [action.option_strings[-1], *_placeholder(action)]
            elif not given and action.nargs not in ("?", "*", module.REMAINDER):
                positional += _placeholder(action)
            else:
                continue
            _note(f"command line: {action.option_strings[-1] if action.option_strings else action.dest} is required;"
                  f" given {' '.join(_placeholder(action))!r}")
        return original(self, [*positional, *given, *options] if positional or options else None, namespace)

    parse_known_args.__graphfix_stub__ = True  # type: ignore[attr-defined]
    module.ArgumentParser.parse_known_args = parse_known_args


def stub_arguments() -> None:
    after_import("argparse", _patch_argparse)


# -- the program's own source: training loops bounded, the columns it reads -------------------

LOOP_PASSES = 3  # passes a training loop of the program makes in the dry run
TRAINING_CALLS = frozenset({"GradientTape", "apply_gradients", "train_on_batch", "fit", "fit_generator", "train_step", "minimize"})
LONG_LOOP_WORDS = ("epoch", "iteration")  # a loop over these that trains somewhere inside is cut too
PROGRAM_COLUMNS: list[str] = []  # column names the program reads from a table (header of a stubbed CSV)


def _called_name(function: Any) -> str:
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""


class _Program:
    """What the dry run reads in the program's source before running it."""

    def __init__(self, tree: Any) -> None:
        self.functions: dict[str, list[Any]] = {}
        self.string_lists: dict[str, list[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                strings = self._strings(node.value)
                if len(strings) > 1:
                    self.string_lists[node.targets[0].id] = strings

    @staticmethod
    def _strings(node: Any) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, (ast.List, ast.Tuple)):
            strings = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            return strings if node.elts and len(strings) == len(node.elts) else []
        return []

    def trains(self, nodes: list[Any], inside_loops: bool, seen: set[str]) -> bool:
        """A training call among `nodes` (in a function of the program they call, too), outside
        any loop of theirs unless `inside_loops`."""
        stack = list(nodes)
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue  # defined here, not run here
            if not inside_loops and isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
                continue
            if isinstance(node, ast.Call):
                name = _called_name(node.func)
                if name in TRAINING_CALLS:
                    return True
                if name in self.functions and name not in seen:
                    seen.add(name)
                    if any(self.trains(f.body, inside_loops, seen) for f in self.functions[name]):
                        return True
            stack.extend(ast.iter_child_nodes(node))
        return False

    def cut(self, loop: Any) -> bool:
        """A loop the dry run cuts: one whose passes train (a step, a fit, a tape), or one over
        epochs or iterations with training anywhere inside."""
        if self.trains(loop.body, False, set()):
            return True
        header = [loop.target, loop.iter] if isinstance(loop, ast.For) else [loop.test]
        words = " ".join(ast.unparse(n).lower() for n in header)
        return any(w in words for w in LONG_LOOP_WORDS) and self.trains(loop.body, True, set())

    def columns(self, tree: Any) -> list[str]:
        """Names the program reads as table columns: `frame["a"]`, `frame[["a", "b"]]`,
        `frame[NAMES]` of a list of strings, `frame.pop("a")`, `drop(columns=[...])`."""
        found: list[str] = []
        for node in sorted(ast.walk(tree), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))):
            given: list[str] = []
            if isinstance(node, ast.Subscript):
                key = node.slice
                given = self.string_lists.get(key.id, []) if isinstance(key, ast.Name) else self._strings(key)
            elif isinstance(node, ast.Call) and _called_name(node.func) in ("pop", "drop") and isinstance(node.func, ast.Attribute):
                for value in [*node.args[:1], *(k.value for k in node.keywords if k.arg == "columns")]:
                    given += self.string_lists.get(value.id, []) if isinstance(value, ast.Name) else self._strings(value)
            found += [name for name in given if name not in found and name.isprintable() and "," not in name]
        return found


def bounded_loop(iterable: Any, line: int) -> Any:
    """The iterable of a training loop of the program, cut to LOOP_PASSES passes."""
    try:
        total: int | None = len(iterable)
    except Exception:  # a generator, a dataset of unknown length
        total = None
    if total is not None and total <= LOOP_PASSES:
        return iterable

    def passes() -> Any:
        iterator = iter(iterable)
        for _ in range(LOOP_PASSES):
            try:
                item = next(iterator)
            except StopIteration:
                return
            yield item
        _note(f"line {line}: a training loop stopped after {LOOP_PASSES} passes" + (f" of {total}" if total else ""))

    return passes()


class _LoopCutter(ast.NodeTransformer):
    """`for x in it:` of a training loop becomes `for x in __graphfix_loop__(it, line):`;
    `while test: body else: rest` becomes a `for` over endless passes, cut the same way:
    `for __graphfix_pass__ in __graphfix_loop__(itertools.count(), line): if not test: rest;
    break` then the body. Positions of the program's own nodes are kept."""

    def __init__(self, program: _Program) -> None:
        self.program = program

    @staticmethod
    def bounded(iterable: Any, node: Any) -> Any:
        call = ast.Call(ast.Name("__graphfix_loop__", ast.Load()), [iterable, ast.Constant(node.lineno)], [])
        return ast.copy_location(call, iterable)

    def visit_For(self, node: ast.For) -> Any:  # noqa: N802 (NodeTransformer's naming)
        self.generic_visit(node)
        if self.program.cut(node):
            node.iter = self.bounded(node.iter, node)
        return node

    def visit_While(self, node: ast.While) -> Any:  # noqa: N802
        self.generic_visit(node)
        if not self.program.cut(node):
            return node
        endless = ast.copy_location(ast.Call(ast.Name("__graphfix_passes__", ast.Load()), [], []), node.test)
        stop = ast.copy_location(ast.If(ast.UnaryOp(ast.Not(), node.test), [*node.orelse, ast.Break()], []), node)
        passes = ast.For(ast.Name("__graphfix_pass__", ast.Store()), self.bounded(endless, node), [stop, *node.body], [])
        return ast.copy_location(passes, node)


def compile_program(source: str, path: str, stubs: bool) -> Any:
    """The program's code; under the dry run its training loops are cut (their iterables wrapped
    in `bounded_loop`, every position in the code kept) and the columns it reads noted."""
    if stubs:
        try:
            tree = ast.parse(source, path)
            program = _Program(tree)
            PROGRAM_COLUMNS[:] = program.columns(tree)
            tree = _LoopCutter(program).visit(tree)
            ast.fix_missing_locations(tree)
            return compile(tree, path, "exec", dont_inherit=True)
        except Exception:  # the program's own syntax error is raised by the plain compile below
            pass
    return compile(source, path, "exec", dont_inherit=True)


def install(stubs: bool) -> str | None:
    """Install the guards (always) and the dry-run stubs (unless disabled). Returns the
    temporary directory that saved files go to."""
    global SCRATCH
    protect_sources()
    if not stubs:
        return None
    directory = SCRATCH = tempfile.mkdtemp(prefix="graphfix-probe-")
    import builtins

    builtins.__graphfix_loop__ = bounded_loop  # type: ignore[attr-defined]
    builtins.__graphfix_passes__ = itertools.count  # type: ignore[attr-defined]
    stub_checkpoints()
    stub_arguments()
    stub_datasets()
    stub_applications()
    stub_training(directory)
    _replace_everywhere({**stub_downloads(directory), **stub_data_folders(directory)})
    stub_tables()
    stub_display()
    stub_web(directory)
    block_network()
    return directory
