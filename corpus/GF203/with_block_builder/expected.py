import numpy as np
import tensorflow as tf
from tensorflow import keras


def build_and_fetch():
    x = keras.Input((5,))
    a = keras.layers.Dense(3, name="a")(x)
    b = keras.layers.Dense(2, name="b")(a)
    model = keras.Model(x, b)
    data = np.ones((4, 5))
    # fetch both layers in one run
    first, second = keras.Model(x, [a, b]).predict(data, verbose=0)
    assert first.shape == (4, 3) and second.shape == (4, 2)
    return model
