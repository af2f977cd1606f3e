"""Builder for a regressor whose hidden activity is kept sparse by an extra loss."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class SparseRegressor(keras.Model):
    def build(self, batch_shape):
        width = 2 * int(batch_shape[-1])
        self.hidden = layers.Dense(width, activation="relu")
        self.out = layers.Dense(1)

    def call(self, inputs):
        h = self.hidden(inputs)
        self.add_loss(1e-3 * tf.reduce_sum(tf.abs(h)))
        return self.out(h)


def make_regressor():
    model = SparseRegressor()
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    return model


x = np.random.rand(48, 5).astype("float32")
y = x.sum(axis=1, keepdims=True)
regressor = make_regressor()
regressor.fit(x, y, batch_size=16, epochs=1, verbose=0)
print(regressor.evaluate(x, y, verbose=0))
