import numpy as np
import keras
from keras import layers


class Regressor(keras.Model):
    def __init__(self, width=8):
        super().__init__()
        self.width = width

    def call(self, inputs):
        x = layers.Dense(self.width, activation="relu")(inputs)
        x = layers.Dropout(0.1)(x)
        return layers.Dense(1)(x)


def train():
    model = Regressor()
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.random.rand(16, 4), np.random.rand(16, 1), epochs=2, verbose=0)
    return model


train()
