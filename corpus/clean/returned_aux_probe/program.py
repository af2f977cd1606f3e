import numpy as np
import tensorflow as tf


class Encoder(tf.keras.layers.Layer):
    """Returns its code and, for monitoring, the pre-activation it was computed from."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.proj = tf.keras.layers.Dense(units)
        self.act = tf.keras.layers.Activation("tanh")
        self.side = tf.keras.layers.Dense(2)

    def call(self, x):
        pre = self.proj(x)
        code = self.act(pre)
        side = self.side(x)
        return code, side


inputs = tf.keras.Input(shape=(9,))
code, side = Encoder(4)(inputs)
head = tf.keras.layers.Dense(1)(code)
model = tf.keras.Model(inputs, [head, side])
probe = tf.keras.layers.Dense(3)(code)  # an auxiliary read-out, kept for inspection
model.compile("adam", ["mse", "mse"])
model.fit(np.random.rand(8, 9), [np.random.rand(8, 1), np.random.rand(8, 2)], verbose=0)
print(probe.shape)
