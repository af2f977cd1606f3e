import numpy as np
import tensorflow as tf

inp = tf.keras.Input(shape=(3,))
hidden_layer = tf.keras.layers.Dense(7, activation="tanh")
out = tf.keras.layers.Dense(2)(hidden_layer(inp))
model = tf.keras.Model(inp, out)

debug = tf.keras.Model(inp, [hidden_layer.output, out])
hidden, final = debug.predict(np.random.rand(4, 3), verbose=0)
print(hidden.shape, final.shape)
