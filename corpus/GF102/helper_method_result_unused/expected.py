"""Keyword spotter assembled by a builder class; each stage is a method."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


class SpotterBuilder:
    def __init__(self, frames=24, bins=8, words=4):
        self.frames, self.bins, self.words = frames, bins, words

    def _stage(self, x, filters):
        x = layers.Conv1D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling1D(2)(x)
        return x

    def build(self):
        audio = keras.Input((self.frames, self.bins))
        first = self._stage(audio, 8)
        second = self._stage(first, 16)
        pooled = layers.GlobalAveragePooling1D()(second)
        return keras.Model(audio, layers.Dense(self.words, activation="softmax")(pooled))


model = SpotterBuilder().build()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(np.random.rand(12, 24, 8), np.random.randint(0, 4, 12), epochs=1, verbose=0)
