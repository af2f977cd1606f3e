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
temp_ph = tf.compat.v1.placeholder(tf.float32, shape=(), name="temperature")
scores, labels = top_labels(model.output, temp_ph, 2)

samples = np.random.rand(4, 8).astype("float32")
with tf.compat.v1.Session() as sess:
    top_scores, top_ids = sess.run([scores, labels], feed_dict={model.input: samples, temp_ph: 0.5})
print(top_scores.shape, top_ids.tolist())
