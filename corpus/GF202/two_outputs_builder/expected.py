import numpy as np
import tensorflow as tf


def build_and_inspect():
    inputs = tf.keras.Input((4,))
    h1 = tf.keras.layers.Dense(6, activation="relu", name="h1")(inputs)
    h2 = tf.keras.layers.Dense(3, activation="relu", name="h2")(h1)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(h2))
    probe = tf.keras.Model(model.inputs, [model.get_layer("h1").output, model.get_layer("h2").output])
    first, second = probe.predict(np.ones((2, 4)), verbose=0)
    assert first.shape == (2, 6) and second.shape == (2, 3)
    return model
