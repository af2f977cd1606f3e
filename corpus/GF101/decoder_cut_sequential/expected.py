"""Compress 24-value sensor frames to 3 numbers, then generate frames from random codes."""
import numpy as np
import tensorflow as tf

frames = np.random.rand(60, 24).astype("float32")

autoencoder = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(24,)),
        tf.keras.layers.Dense(10, activation="relu"),
        tf.keras.layers.Dense(3, activation="linear", name="bottleneck"),
        tf.keras.layers.Dense(10, activation="relu"),
        tf.keras.layers.Dense(24, activation="sigmoid"),
    ]
)
autoencoder.compile(optimizer="adam", loss="mse")
autoencoder.fit(frames, frames, epochs=2, batch_size=20, verbose=0)

code_input = tf.keras.Input(shape=(3,))
generator = tf.keras.Model(code_input, autoencoder.layers[-1](autoencoder.layers[-2](code_input)))
samples = generator.predict(np.random.normal(size=(5, 3)), verbose=0)
print("generated", samples.shape)
