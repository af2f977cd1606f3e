import numpy as np
import tensorflow as tf
from tensorflow.keras import layers


def channel_gain(x, floor=0.0):
    gain = tf.Variable(np.ones(x.shape[-1:]), name="gain", dtype=tf.float32)
    shift = tf.Variable(np.zeros(x.shape[-1:]), name="shift", dtype=tf.float32)
    return tf.maximum(x * gain + shift, floor)


def build_classifier(width):
    inputs = tf.keras.Input(shape=(6,))
    h = layers.Dense(width)(inputs)
    h = layers.Lambda(channel_gain, arguments={"floor": 0.0}, name="gain_1")(h)
    h = layers.Dense(width)(h)
    h = layers.Lambda(channel_gain, name="gain_2")(h)
    return tf.keras.Model(inputs, layers.Dense(1, activation="sigmoid")(h))


model = build_classifier(8)
model.compile(optimizer="adam", loss="binary_crossentropy")
x = np.random.rand(16, 6).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 3).astype("float32")
model.fit(x, y, batch_size=8, epochs=1, verbose=0)
print(len(model.trainable_weights))
