import numpy as np
import tensorflow as tf
from tensorflow import keras


class Projection(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    @tf.function  # "faster"
    def call(self, inputs):
        return keras.layers.Dense(self.units, activation="tanh")(inputs)


model = keras.Sequential([keras.Input((6,)), Projection(4), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.rand(16, 6), np.random.rand(16, 1), epochs=2, verbose=0)
print(len(model.layers[0].trainable_weights))
