import tensorflow as tf
from tensorflow import keras


def attention_pool(seq):
    """Softmax-weighted average over time."""
    scores = keras.layers.Dense(1)(seq)
    weights = tf.nn.softmax(tf.squeeze(scores, axis=-1), axis=-1)
    return tf.reduce_sum(seq * tf.expand_dims(weights, -1), axis=1)


def build_classifier(steps=7, dim=5):
    tokens = keras.Input((steps, dim))
    hidden = keras.layers.Dense(8, activation="tanh")(tokens)
    summary = attention_pool(hidden)
    logits = keras.layers.Dense(3)(summary)
    return keras.Model(tokens, logits)
