import keras
import tensorflow as tf


def build_film(n_features=6, n_cond=3):
    """Feature-wise modulation: a conditioning vector scales and shifts the features."""
    x = keras.Input((n_features,), name="features")
    cond = keras.Input((n_cond,), name="condition")
    gamma = keras.layers.Dense(n_features)(cond)
    beta = keras.layers.Dense(n_features)(cond)
    h = keras.layers.Dense(n_features, activation="relu")(x)
    h = keras.layers.Lambda(
        lambda v, g, b, eps: v * (1.0 + tf.tanh(g)) + b * eps,
        arguments=dict(g=gamma, b=beta, eps=0.5),
    )(h)
    out = keras.layers.Dense(1)(h)
    return keras.Model([x, cond], out)
