"""The reviewed mapping from TensorFlow ops to their `keras.ops` equivalents (GF401).

One entry per op, data only. An entry is listed only where the `keras.ops` function computes the
same values for the same arguments; each entry's `sample` is run by a test through both
functions on the same random input and compared. Positional arguments keep their order (every
listed pair takes them in the same order); keyword arguments are renamed by `keywords`;
`dropped` keywords have no effect on the values (`name=`). A call with any other keyword is
not mapped (the rewrite falls back to a `Lambda` layer).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OpMapping:
    tf_names: tuple[str, ...]  # qualified names, as libcst resolves them
    ops_name: str  # keras.ops.<ops_name>
    keywords: dict[str, str] = field(default_factory=dict)  # tf keyword -> keras.ops keyword
    max_positional: int = 9  # more positional arguments than this: not mapped
    sample: str = ""  # a call on `x` (and `y`), float32 of shape (2, 3, 4), for the numeric test
    dropped: tuple[str, ...] = ("name",)


def _tf(*names: str) -> tuple[str, ...]:
    return tuple(f"tensorflow.{n}" for n in names)


AXIS = {"axis": "axis", "keepdims": "keepdims", "keep_dims": "keepdims", "input_tensor": "x"}

TABLE: tuple[OpMapping, ...] = (
    OpMapping(_tf("concat"), "concatenate", {"values": "xs", "axis": "axis"}, 2, "tf.concat([x, y], axis=-1)"),
    OpMapping(_tf("stack"), "stack", {"values": "x", "axis": "axis"}, 2, "tf.stack([x, y], axis=1)"),
    OpMapping(_tf("reshape"), "reshape", {"tensor": "x", "shape": "newshape"}, 2, "tf.reshape(x, [-1, 12])"),
    OpMapping(_tf("expand_dims"), "expand_dims", {"input": "x", "axis": "axis"}, 2, "tf.expand_dims(x, axis=-1)"),
    OpMapping(_tf("squeeze"), "squeeze", {"input": "x", "axis": "axis"}, 2, "tf.squeeze(tf.expand_dims(x, 1), axis=1)"),
    OpMapping(_tf("transpose"), "transpose", {"a": "x", "perm": "axes"}, 2, "tf.transpose(x, perm=[0, 2, 1])"),
    OpMapping(_tf("tile"), "tile", {"input": "x", "multiples": "repeats"}, 2, "tf.tile(x, [1, 2, 1])"),
    OpMapping(_tf("reduce_mean", "math.reduce_mean"), "mean", AXIS, 3, "tf.reduce_mean(x, axis=1, keepdims=True)"),
    OpMapping(_tf("reduce_sum", "math.reduce_sum"), "sum", AXIS, 3, "tf.reduce_sum(x, axis=[1, 2])"),
    OpMapping(_tf("reduce_max", "math.reduce_max"), "max", AXIS, 3, "tf.reduce_max(x, -1)"),
    OpMapping(_tf("reduce_min", "math.reduce_min"), "min", AXIS, 3, "tf.reduce_min(x, axis=0)"),
    OpMapping(_tf("reduce_prod", "math.reduce_prod"), "prod", AXIS, 3, "tf.reduce_prod(x, axis=2)"),
    OpMapping(_tf("square", "math.square"), "square", {"x": "x"}, 1, "tf.square(x)"),
    OpMapping(_tf("sqrt", "math.sqrt"), "sqrt", {"x": "x"}, 1, "tf.sqrt(x)"),
    OpMapping(_tf("exp", "math.exp"), "exp", {"x": "x"}, 1, "tf.exp(x)"),
    OpMapping(_tf("math.log"), "log", {"x": "x"}, 1, "tf.math.log(x + 1.0)"),
    OpMapping(_tf("abs", "math.abs"), "abs", {"x": "x"}, 1, "tf.abs(x - 0.5)"),
    OpMapping(_tf("tanh", "math.tanh", "nn.tanh"), "tanh", {"x": "x"}, 1, "tf.tanh(x)"),
    OpMapping(_tf("sigmoid", "math.sigmoid", "nn.sigmoid"), "sigmoid", {"x": "x"}, 1, "tf.sigmoid(x)"),
    OpMapping(_tf("nn.relu"), "relu", {"features": "x"}, 1, "tf.nn.relu(x - 0.5)"),
    OpMapping(_tf("nn.softmax", "math.softmax"), "softmax", {"logits": "x", "axis": "axis"}, 2, "tf.nn.softmax(x, axis=-1)"),
    OpMapping(_tf("add", "math.add"), "add", {"x": "x1", "y": "x2"}, 2, "tf.add(x, y)"),
    OpMapping(_tf("subtract", "math.subtract"), "subtract", {"x": "x1", "y": "x2"}, 2, "tf.subtract(x, y)"),
    OpMapping(_tf("multiply", "math.multiply"), "multiply", {"x": "x1", "y": "x2"}, 2, "tf.multiply(x, y)"),
    OpMapping(_tf("maximum", "math.maximum"), "maximum", {"x": "x1", "y": "x2"}, 2, "tf.maximum(x, y)"),
    OpMapping(_tf("minimum", "math.minimum"), "minimum", {"x": "x1", "y": "x2"}, 2, "tf.minimum(x, y)"),
    OpMapping(_tf("matmul", "linalg.matmul"), "matmul", {"a": "x1", "b": "x2"}, 2, "tf.matmul(x, tf.transpose(y, perm=[0, 2, 1]))"),
    OpMapping(_tf("clip_by_value"), "clip", {"t": "x", "clip_value_min": "x_min", "clip_value_max": "x_max"}, 3, "tf.clip_by_value(x, 0.2, 0.7)"),
    OpMapping(_tf("where"), "where", {"condition": "condition", "x": "x1", "y": "x2"}, 3, "tf.where(x > 0.5, x, y)"),
    OpMapping(_tf("cast", "dtypes.cast"), "cast", {"x": "x", "dtype": "dtype"}, 2, "tf.cast(x > 0.5, tf.float32)"),
)


def lookup(qualified_name: str) -> OpMapping | None:
    for entry in TABLE:
        if qualified_name in entry.tf_names:
            return entry
    return None
