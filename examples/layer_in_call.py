"""A custom layer that builds its Dense inside call, under @tf.function (weights never train)."""
import numpy as np
import tensorflow as tf
import keras


class Projection(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    @tf.function
    def call(self, x):
        return keras.layers.Dense(self.units)(x)


model = keras.Sequential([keras.Input((4,)), Projection(3), keras.layers.Dense(1)])
model.compile("adam", "mse")
model.fit(np.random.rand(8, 4), np.random.rand(8, 1), verbose=0)
