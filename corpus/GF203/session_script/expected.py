import numpy as np
import tensorflow as tf

inputs = tf.keras.Input(shape=(8,))
hidden = tf.keras.layers.Dense(4, activation="relu", name="hidden")(inputs)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(hidden))

sess = tf.compat.v1.Session()
batch = np.random.rand(3, 8)
activations = sess.run(model.get_layer("hidden").output, feed_dict={model.input: batch})
sess.close()
print(activations.shape)
