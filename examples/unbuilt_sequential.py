"""A Sequential trained on data, then asked for its symbolic input."""
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(16, activation="relu", name="embedding"), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.rand(64, 8), np.random.rand(64, 1), epochs=1, verbose=0)
embed = tf.keras.Model(model.input, model.get_layer("embedding").output)
print(embed.predict(np.zeros((2, 8)), verbose=0).shape)
