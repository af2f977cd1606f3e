"""Generate `codemods/keras_api_table.py` from the installed Keras (run after upgrading Keras).

    .venv/bin/python tests/generate_keras_api_table.py

Two tables, both derived from Keras's own public API, never hand-listed:
- PUBLIC: every public Keras 3 module a legacy import can be redirected to, with its public names;
- BACKEND_MATH: Keras 2 backend functions (as `tf_keras.backend` still has them) that Keras 3's
  `keras.backend` dropped and that `keras.ops` (or `keras.random`, for `random_*`) has under the
  same name, with the parameters paired by position: a required parameter renamed keeps its
  position, an optional one must keep its name, and
  an old default that differs from the new one is written out explicitly by the rewrite. A
  candidate is kept only when every parameter pairs up and the two functions compute the same
  values on the samples of `tests/test_keras_api_table.py`, which checks this file is current.
"""

from __future__ import annotations

import importlib
import inspect
import pprint
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "codemods" / "keras_api_table.py"

MODULES = (
    "keras", "keras.layers", "keras.models", "keras.utils", "keras.optimizers", "keras.optimizers.schedules",
    "keras.callbacks", "keras.losses", "keras.metrics", "keras.initializers", "keras.regularizers",
    "keras.constraints", "keras.activations", "keras.preprocessing", "keras.preprocessing.image",
    "keras.preprocessing.sequence", "keras.applications", "keras.datasets", "keras.backend", "keras.saving",
    "keras.ops", "keras.random", "keras.config", "keras.wrappers",
)  # fmt: skip
# Same names whose values differ (checked numerically, or documented): never mapped.
DIFFERENT = {
    "in_top_k": "arguments in the other order",
    "repeat": "K.repeat(x, n) repeats a 2D tensor along a new axis; ops.repeat is numpy's repeat",
    "switch": "ops.switch selects a branch function by index",
    "batch_normalization": "different parameters (offset/scale)",
    "ctc_decode": "different decoding parameters",
    "sqrt": "K.sqrt clips negative inputs to 0 first; ops.sqrt gives nan",
    "one_hot": "same values, but kept out: the dtype of the result differs",
    "shape": "K.shape returns a tensor, ops.shape a tuple",
    "hard_sigmoid": "Keras 2: clip(0.2 x + 0.5); Keras 3: relu6(x + 3) / 6",
}


def public_names() -> dict[str, tuple[str, ...]]:
    table = {}
    for name in MODULES:
        module = importlib.import_module(name)
        table[name] = tuple(sorted(n for n in dir(module) if not n.startswith("_")))
    return table


def _pairing(old: Any, new: Any) -> tuple[tuple[tuple[str, str], ...], dict[str, str]] | None:
    """((old parameter, new parameter) in the old order, new keyword -> old default written out)."""
    try:
        before = list(inspect.signature(old).parameters.values())
        after = [p for p in inspect.signature(new).parameters.values() if p.kind is not p.VAR_POSITIONAL]
    except (TypeError, ValueError):
        return None
    if len(before) > len(after):
        return None
    keywords: dict[str, str] = {}
    defaults: dict[str, str] = {}
    for a, b in zip(before, after):
        if a.name == "name":
            return None
        if a.default is not inspect.Parameter.empty and a.name != b.name:
            return None  # an optional parameter pairs only with its namesake
        keywords[a.name] = b.name
        if a.default is inspect.Parameter.empty:
            if b.default is not inspect.Parameter.empty and b.default is not None:
                return None
            continue
        if b.default is inspect.Parameter.empty or b.default != a.default:
            defaults[b.name] = repr(a.default)
    for b in after[len(before) :]:
        if b.default is inspect.Parameter.empty:
            return None
    return tuple(keywords.items()), defaults


def backend_math() -> dict[str, tuple[str, tuple[tuple[str, str], ...], dict[str, str]]]:
    import keras
    import tf_keras

    old_backend = tf_keras.backend
    kept = set(dir(keras.backend))
    table = {}
    for name in sorted(dir(old_backend)):
        function = getattr(old_backend, name)
        if name.startswith("_") or name in kept or name in DIFFERENT or inspect.isclass(function) or not callable(function):
            continue
        if hasattr(keras.ops, name):
            target = f"ops.{name}"
        elif name.startswith("random_") and hasattr(keras.random, name[len("random_") :]):
            target = f"random.{name[len('random_'):]}"
        else:
            continue
        module, attr = target.split(".")
        pairing = _pairing(function, getattr(getattr(keras, module), attr))
        if pairing is not None:
            table[name] = (target, *pairing)
    return table


def render() -> str:
    import keras

    header = f'''"""Keras 3's public API, generated from keras {keras.__version__} by tests/generate_keras_api_table.py.

Do not edit: regenerate. PUBLIC maps each public module to its names; BACKEND_MATH maps a Keras 2
backend function Keras 3 removed to (its `keras.<module>.<name>` replacement, (old parameter, new
parameter) in the old order, new keyword -> the old default to write out). tests/test_keras_api_table.py checks it is
current and compares every BACKEND_MATH pair numerically.
"""

# fmt: off
'''
    body = "PUBLIC: dict[str, tuple[str, ...]] = " + pprint.pformat(public_names(), width=118, compact=True) + "\n\n"
    body += "BACKEND_MATH: dict[str, tuple[str, tuple[tuple[str, str], ...], dict[str, str]]] = "
    body += pprint.pformat(backend_math(), width=118, compact=True) + "\n"
    return header + body


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    TARGET.write_text(render())
    print(f"wrote {TARGET}")
