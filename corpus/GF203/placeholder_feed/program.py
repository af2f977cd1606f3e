"""Feeding a Keras model through a TF1 placeholder and a session."""
import numpy as np
import tensorflow as tf
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
x = tf.compat.v1.placeholder(tf.float32, shape=(None, 4))
y = model(x)
with tf.compat.v1.Session() as sess:
    out = sess.run(y, feed_dict={x: np.ones((3, 4))})
print(out.shape)
