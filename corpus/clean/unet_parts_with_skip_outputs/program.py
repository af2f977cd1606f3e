"""A small U-Net in two parts: the encoder returns its skip tensors and the decoder takes them as
Inputs, so both parts are models of their own."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

pixels = keras.Input(shape=(8, 8, 1))
s1 = layers.Conv2D(4, 3, padding="same", activation="relu")(pixels)
deep = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(s1)
encoder = keras.Model(pixels, [deep, s1])

deep_in = keras.Input(shape=(4, 4, 8))
skip_in = keras.Input(shape=(8, 8, 4))
up = layers.UpSampling2D()(deep_in)
merged = layers.Concatenate()([up, skip_in])
restored = layers.Conv2D(1, 3, padding="same")(merged)
decoder = keras.Model([deep_in, skip_in], restored)

frames = keras.Input(shape=(8, 8, 1))
autoencoder = keras.Model(frames, decoder(encoder(frames)))
autoencoder.compile("adam", "mse")
data = np.random.rand(10, 8, 8, 1).astype("float32")
autoencoder.fit(data, data, epochs=1, verbose=0)
