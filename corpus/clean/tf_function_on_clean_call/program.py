import numpy as np
import tensorflow as tf
from tensorflow import keras

offset = tf.constant(1.0)  # a deliberate closure over a constant


class Residual(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.inner = keras.layers.Dense(units)

    @tf.function  # harmless: only layers built in __init__
    def call(self, x):
        return x + self.inner(x)


@tf.function
def shifted(x, y):
    return x + y + offset


layer = Residual(3)
print(layer(np.ones((2, 3), "float32")).shape, float(shifted(tf.constant(1.0), tf.constant(2.0))))
