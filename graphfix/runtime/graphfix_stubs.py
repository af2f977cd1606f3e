"""Dry-run stubs and guards installed in each probe child (never in the warm worker itself).

A model-construction check does not need the user's data, pre-trained weights, long training,
files on disk or the network. These stubs make real scripts probe in seconds and harmlessly:

- ``keras.datasets.*.load_data()`` returns small random arrays with the real shapes and dtypes;
- ``keras.applications.*(weights="imagenet")`` builds with ``weights=None``;
- ``fit`` runs one epoch on at most a couple of small batches, ``evaluate``/``predict`` on one
  small batch; Keras' own callbacks (checkpoints, TensorBoard, early stopping) are dropped, the
  program's own callbacks run;
- ``save``/``save_weights``/``plot_model`` write into a temporary directory;
- sockets cannot connect anywhere: network access fails at once with a clear message;
- existing ``.py`` files cannot be written, truncated, renamed or deleted by the program.

Each stub records itself in ``STUBBED`` so ``--verbose`` can say what was replaced.
"""

from __future__ import annotations

import functools
import inspect
import os
import socket
import sys
import tempfile
from typing import Any

STUBBED: list[str] = []
SAMPLES = 64  # rows of fake data per split
MAX_ROWS = 32  # rows fit/evaluate/predict see


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

def _head(value: Any) -> Any:
    """The first MAX_ROWS rows of array-like data (and tf.data datasets: two batches)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return type(value)(_head(v) for v in value)
    if isinstance(value, dict):
        return {k: _head(v) for k, v in value.items()}
    if hasattr(value, "take") and hasattr(value, "element_spec"):
        return value.take(2)
    if hasattr(value, "shape") and hasattr(value, "__getitem__") and len(getattr(value, "shape", ())) > 0:
        return value[:MAX_ROWS]
    return value


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
    return kept


def _short_run(original: Any, label: str, training: bool) -> Any:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind_partial(self, *args, **kwargs)
        values = bound.arguments
        for key in ("x", "y", "validation_data", "sample_weight"):
            if key in values:
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
        _note(f"{label}: one epoch on a couple of small batches, the program's own callbacks only" if training else f"{label}: a small batch")
        return original(*bound.args, **bound.kwargs)

    return run


def _into_tmp(original: Any, label: str, directory: str) -> Any:
    @functools.wraps(original)
    def save(self: Any, filepath: Any = None, *args: Any, **kwargs: Any) -> Any:
        target = os.path.join(directory, os.path.basename(str(filepath)) or "saved")
        _note(f"{label}: written under a temporary directory")
        return original(self, target, *args, **kwargs)

    return save


def stub_training(directory: str) -> None:
    targets = []
    try:
        from keras.src.models.model import Model as K3Model

        targets.append(K3Model)
    except Exception:
        pass
    try:
        from tf_keras.src.engine.training import Model as TFKModel

        targets.append(TFKModel)
    except Exception:
        pass
    for cls in targets:
        cls.fit = _short_run(cls.fit, "fit", training=True)
        cls.evaluate = _short_run(cls.evaluate, "evaluate", training=False)
        cls.predict = _short_run(cls.predict, "predict", training=False)
        cls.save = _into_tmp(cls.save, "save", directory)
        cls.save_weights = _into_tmp(cls.save_weights, "save_weights", directory)
    for name, module in list(sys.modules.items()):
        if module is not None and name.endswith(".utils") and hasattr(module, "plot_model"):
            module.plot_model = lambda *a, **k: _note("plot_model: skipped")  # type: ignore[attr-defined]


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


def install(stubs: bool) -> str | None:
    """Install the guards (always) and the dry-run stubs (unless disabled). Returns the
    temporary directory that saved files go to."""
    protect_sources()
    if not stubs:
        return None
    directory = tempfile.mkdtemp(prefix="graphfix-probe-")
    stub_datasets()
    stub_applications()
    stub_training(directory)
    block_network()
    return directory
