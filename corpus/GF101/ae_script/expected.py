"""Dense autoencoder on random data (tf.keras imports, plain script)."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

original_dim = 32
latent_dim = 4

x_in = keras.Input(shape=(original_dim,), name="pixels")
h = layers.Dense(16, activation="relu")(x_in)
z = layers.Dense(latent_dim, name="code")(h)

# decoder
h_dec = layers.Dense(16, activation="relu")(z)
x_out = layers.Dense(original_dim, activation="sigmoid")(h_dec)

autoencoder = keras.Model(x_in, x_out, name="autoencoder")
autoencoder.compile(optimizer="adam", loss="mse")
data = np.random.rand(8, original_dim).astype("float32")
autoencoder.fit(data, data, epochs=1, batch_size=4, verbose=0)
print(autoencoder.predict(data[:2], verbose=0).shape)
