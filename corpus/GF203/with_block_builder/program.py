import numpy as np
import tensorflow as tf
from tensorflow import keras


def build_and_fetch():
    x = keras.Input((5,))
    a = keras.layers.Dense(3, name="a")(x)
    b = keras.layers.Dense(2, name="b")(a)
    model = keras.Model(x, b)
    data = np.ones((4, 5))
    with tf.compat.v1.Session() as session:
        # fetch both layers in one run
        first, second = session.run([a, b], feed_dict={x: data})
    assert first.shape == (4, 3) and second.shape == (4, 2)
    return model
