import keras
import numpy as np
import tensorflow as tf


class SparsityLayer(keras.layers.Layer):
    """Adds the terms of `total` computed from the model's own tensors to its losses."""

    def call(self, inputs):
        code = inputs
        sparsity = penalty_weight() * tf.reduce_sum(tf.abs(code), axis=-1)
        self.add_loss(tf.reduce_mean(sparsity))
        return inputs


class SparseAutoencoder:
    def __init__(self, features, code_size):
        inputs = keras.Input(shape=(features,))
        self.code = keras.layers.Dense(code_size, activation="relu")(inputs)
        self.code = SparsityLayer()(self.code)
        outputs = keras.layers.Dense(features)(self.code)
        self.model = keras.Model(inputs, outputs)

    def compile(self, penalty):

        def total(y_true, y_pred):
            mse = tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
            return mse

        self.model.compile(optimizer="adam", loss=total)


def penalty_weight():
    return 1e-3


auto = SparseAutoencoder(features=6, code_size=3)
auto.compile(penalty=1e-3)
data = np.random.rand(16, 6).astype("float32")
history = auto.model.fit(data, data, batch_size=8, epochs=1, verbose=0)
print(sorted(history.history))
