"""Feeding a Keras model through a TF1 placeholder and a session."""
import numpy as np
import tensorflow as tf
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
x = tf.keras.Input(shape=(4,), dtype=tf.float32)
y = model(x)
out = tf.keras.Model(x, y).predict(np.ones((3, 4)), verbose=0)
print(out.shape)
