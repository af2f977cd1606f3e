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
        lambda t, eps: t[0] * (1.0 + tf.tanh(t[1])) + t[2] * eps,
        arguments=dict(eps=0.5),
    )([h, gamma, beta])
    out = keras.layers.Dense(1)(h)
    return keras.Model([x, cond], out)
