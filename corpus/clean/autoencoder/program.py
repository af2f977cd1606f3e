import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

dim, latent = 16, 3
x = keras.Input(shape=(dim,))
code = layers.Dense(latent, activation="relu")(layers.Dense(8, activation="relu")(x))
encoder = keras.Model(x, code, name="encoder")

z = keras.Input(shape=(latent,))
recon = layers.Dense(dim)(layers.Dense(8, activation="relu")(z))
decoder = keras.Model(z, recon, name="decoder")

autoencoder = keras.Model(x, decoder(encoder(x)))
autoencoder.compile("adam", "mse")
batch = np.random.rand(4, dim)
autoencoder.fit(batch, batch, epochs=1, verbose=0)
