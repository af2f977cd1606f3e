"""GF304's loss-term rewrites on shapes beside the rule's examples (no TensorFlow)."""

from __future__ import annotations

import pytest

from codemods.base import Skip
from codemods.functional_add_loss import add_loss_in_layer
from codemods.loss_closure import add_loss_in_graph, capturing_losses
from graphfix.source import SourceIndex

FACTORY = '''import keras


def make_loss(code, scale, weight=0.5):
    def loss(y_true, y_pred):
        return scale * keras.ops.mean(keras.ops.square(y_true - y_pred)) + weight * keras.ops.mean(keras.ops.abs(code))

    return loss


def build(scale):
    inputs = keras.Input((4,))
    code = keras.layers.Dense(2)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(4)(code))
    model.compile("adam", loss=make_loss(code, scale, weight=0.1))
    return model
'''


def test_factory_keeps_the_parameters_the_kept_terms_read() -> None:
    found = capturing_losses(SourceIndex(FACTORY))
    assert [(c.function.name.value, keys) for c, keys in found] == [("loss", ["code"])]
    fixed = add_loss_in_graph(SourceIndex(FACTORY), "loss")
    assert "def make_loss(scale):" in fixed  # `code` and `weight` went with the moved term
    assert "loss=make_loss(scale))" in fixed
    assert "        weight = 0.1\n" in fixed  # the caller's value, not the default
    assert "    code = LossLayer()(code)\n    model = keras.Model" in fixed


def test_factory_given_a_tensor_by_keyword() -> None:
    source = FACTORY.replace("make_loss(code, scale, weight=0.1)", "make_loss(scale=scale, code=code)")
    fixed = add_loss_in_graph(SourceIndex(source), "loss")
    assert "        weight = 0.5\n" in fixed  # the default, as the call left it
    assert "loss=make_loss(scale=scale))" in fixed


ADDED = '''import keras

inputs = keras.Input((4,))
code = keras.layers.Dense(2)(inputs)
model = keras.Model(inputs, keras.layers.Dense(4)(code))
penalty = keras.ops.mean(keras.ops.abs(code))
model.add_loss(1e-3 * penalty)
print(penalty)
'''


def test_added_loss_refused_when_its_local_is_used_elsewhere() -> None:
    with pytest.raises(Skip, match="also used"):
        add_loss_in_layer(SourceIndex(ADDED), 7)


def test_added_loss_moves_its_local() -> None:
    fixed = add_loss_in_layer(SourceIndex(ADDED.replace("print(penalty)\n", "")), 7)
    assert "        penalty = keras.ops.mean(keras.ops.abs(code))\n        self.add_loss(1e-3 * penalty)\n" in fixed
    assert "model.add_loss" not in fixed and fixed.index("code = PenaltyLoss()(code)") < fixed.index("model = keras.Model")
