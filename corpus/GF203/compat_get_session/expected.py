import numpy as np
import tensorflow as tf

encoder_in = tf.keras.layers.Input(shape=(10,))
code = tf.keras.layers.Dense(3, activation="tanh")(encoder_in)
encoder = tf.keras.models.Model(encoder_in, code)

codes = tf.keras.Model(encoder.input, encoder.output).predict(np.random.rand(5, 10), verbose=0)
print("codes", codes.shape)
