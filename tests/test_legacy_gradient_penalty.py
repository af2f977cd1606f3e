"""GF402 gradient penalty: the `InputGradients` layer the rewrite adds gives a loss what Keras 2's
`K.gradients(critic(x), x)[0]` gave it (`tf.gradients` in a graph), and the model trains through
it (second-order gradients)."""

from __future__ import annotations

import numpy as np

from codemods.gradient_penalty import LAYER_SOURCE


def _layer_class() -> type:
    import keras
    import tensorflow as tf

    namespace = {"keras": keras, "tf": tf}
    exec(LAYER_SOURCE.format(keras="keras", tf="tf"), namespace)  # noqa: S102 - our own template
    return namespace["InputGradients"]  # type: ignore[no-any-return]


def test_input_gradients_equal_graph_gradients() -> None:
    import keras
    import tensorflow as tf

    input_gradients = _layer_class()
    critic = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")

    @tf.function
    def keras2(samples: tf.Tensor) -> tf.Tensor:
        return tf.gradients(critic(samples), samples)[0]  # what K.gradients was

    np.testing.assert_allclose(input_gradients(critic)(x), keras2(tf.constant(x)), rtol=1e-5, atol=1e-6)


def test_penalty_trains_through_the_layer() -> None:
    import keras

    input_gradients = _layer_class()
    critic = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(1)])
    samples = keras.Input((4,))
    model = keras.Model(samples, input_gradients(critic)(samples))

    def penalty(y_true, y_pred):  # the WGAN-GP loss on the gradients
        norm = keras.ops.sqrt(keras.ops.sum(keras.ops.square(y_pred), axis=1))
        return keras.ops.mean(keras.ops.square(1 - norm))

    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=penalty)
    before = [w.numpy().copy() for w in critic.trainable_weights]
    model.train_on_batch(np.ones((8, 4), "float32"), np.zeros((8, 1), "float32"))
    assert len(model.trainable_weights) == len(critic.trainable_weights)
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(before, critic.trainable_weights))
