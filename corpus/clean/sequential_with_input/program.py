import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(3, name="h"), tf.keras.layers.Dense(1)])
model.compile("adam", "mse")
model.fit(np.zeros((4, 4)), np.zeros((4, 1)), verbose=0)
probe = tf.keras.Model(model.inputs, model.get_layer("h").output)
print(probe.predict(np.ones((1, 4)), verbose=0))
