import numpy as np
import tensorflow as tf

encoder_in = tf.keras.layers.Input(shape=(10,))
code = tf.keras.layers.Dense(3, activation="tanh")(encoder_in)
encoder = tf.keras.models.Model(encoder_in, code)

session = tf.compat.v1.keras.backend.get_session()
tf.compat.v1.keras.backend.set_session(session)
codes = session.run(encoder.output, {encoder.input: np.random.rand(5, 10)})
print("codes", codes.shape)
