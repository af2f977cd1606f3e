"""The decoder reads the image instead of the code: the encoder is never trained (silent)."""
import keras
from keras import layers

input_img = keras.Input(shape=(784,))
encoded = layers.Dense(32, activation="relu")(input_img)
decoded = layers.Dense(784, activation="sigmoid")(input_img)
autoencoder = keras.Model(input_img, decoded)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
