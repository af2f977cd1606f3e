import numpy as np
import tensorflow as tf


def layer_scale(x, init=1.0, eps=1e-6):
    gamma = tf.Variable(np.full(x.shape[-1:], init), dtype=tf.float32, name="gamma")
    return x * gamma + eps


def block(x, width):
    h = tf.keras.layers.Dense(width, activation="relu")(x)
    h = tf.keras.layers.Lambda(lambda t: layer_scale(t, 0.1))(h)
    return tf.keras.layers.Add()([x, h])


inputs = tf.keras.Input(shape=(8,))
h = block(inputs, 8)
h = block(h, 8)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(h))
model.compile(optimizer="adam", loss="mse")
x = np.random.rand(16, 8).astype("float32")
model.fit(x, x.sum(axis=1, keepdims=True), batch_size=8, epochs=1, verbose=0)
print(len(model.trainable_weights))
