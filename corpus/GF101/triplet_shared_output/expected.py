"""Triplet-loss face embedder: one embedding tower shared by anchor, positive and negative."""
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

EMBED = 6


def embedding_tower(features):
    raw = tf.keras.Input(shape=(features,))
    hidden = layers.Dense(12, activation="relu")(raw)
    unit = layers.UnitNormalization()(layers.Dense(EMBED)(hidden))
    return tf.keras.Model(raw, unit, name="tower")


def triplet_model(features=16):
    tower = embedding_tower(features)
    anchor = tf.keras.Input(shape=(features,), name="anchor")
    positive = tf.keras.Input(shape=(features,), name="positive")
    negative = tf.keras.Input(shape=(features,), name="negative")
    stacked = layers.Concatenate()([tower(anchor), tower(positive), tower(negative)])
    model = tf.keras.Model([anchor, positive, negative], stacked)
    return model, tower


def triplet_loss(_, y_pred, margin=0.2):
    a, p, n = y_pred[:, :EMBED], y_pred[:, EMBED : 2 * EMBED], y_pred[:, 2 * EMBED :]
    gap = tf.reduce_sum(tf.square(a - p), -1) - tf.reduce_sum(tf.square(a - n), -1)
    return tf.maximum(gap + margin, 0.0)


if __name__ == "__main__":
    model, tower = triplet_model()
    model.compile(optimizer="adam", loss=triplet_loss)
    x = np.random.rand(3, 24, 16).astype("float32")
    model.fit([x[0], x[1], x[2]], np.zeros((24, 1)), epochs=1, batch_size=8, verbose=0)
    print(tower.predict(x[0][:2], verbose=0).shape)
