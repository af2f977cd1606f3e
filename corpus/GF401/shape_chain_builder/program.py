import keras
import tensorflow as tf


def build_length_pooler(dim=6):
    """Mean over a variable number of time steps."""
    seq = keras.Input((None, dim))
    h = keras.layers.Dense(dim, activation="relu")(seq)
    steps = tf.cast(tf.shape(h)[1], h.dtype)
    pooled = tf.reduce_sum(h, axis=1) / steps
    return keras.Model(seq, keras.layers.Dense(1)(pooled))
