"""A dense autoencoder whose decoder was built on its own Input (graph disconnected)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

pixels = keras.Input(shape=(784,))
hidden = layers.Dense(64, activation="relu")(pixels)
encoded = layers.Dense(32, activation="relu")(hidden)

latent_in = keras.Input(shape=(32,))
x = layers.Dense(64, activation="relu")(latent_in)
decoded = layers.Dense(784, activation="sigmoid")(x)

autoencoder = keras.Model(pixels, decoded)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
images = np.random.rand(32, 784).astype("float32")
autoencoder.fit(images, images, epochs=1, batch_size=16, verbose=0)
