"""Classifier demo, TF1 style: top-k decoding built on the model output, run in a session."""
import numpy as np
import tensorflow as tf


def build_classifier(n_features, n_classes):
    inputs = tf.keras.Input(shape=(n_features,))
    hidden = tf.keras.layers.Dense(16, activation="relu")(inputs)
    logits = tf.keras.layers.Dense(n_classes)(hidden)
    return tf.keras.Model(inputs, logits)


def top_labels(logits, temperature, k):
    probs = tf.nn.softmax(logits / temperature, axis=-1)
    best = tf.nn.top_k(probs, k=k)
    return best.values, tf.cast(best.indices, tf.int32)


model = build_classifier(8, 5)


def eager_top_labels(model_output, temp_ph):
    return top_labels(model_output, temp_ph, 2)

samples = np.random.rand(4, 8).astype("float32")
top_scores, top_ids = [np.asarray(value) for value in eager_top_labels(model(samples, training=False), tf.constant(0.5, dtype=tf.float32))]
print(top_scores.shape, top_ids.tolist())
