import numpy as np
import tensorflow as tf

inputs = tf.keras.Input(shape=(8,))
hidden = tf.keras.layers.Dense(4, activation="relu", name="hidden")(inputs)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(hidden))

batch = np.random.rand(3, 8)
activations = tf.keras.Model(model.input, model.get_layer("hidden").output).predict(batch, verbose=0)
print(activations.shape)
