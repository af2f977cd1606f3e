import numpy as np
import keras
from keras import layers


class PairScorer:
    """Scores whether two sensor readings come from the same device."""

    def __init__(self, width=10):
        self.width = width
        self.encoder = self._encoder()
        self.model = self._scorer()

    def _encoder(self):
        reading = keras.Input((self.width,))
        code = layers.Dense(8, activation="tanh")(reading)
        return keras.Model(reading, code)

    def _scorer(self):
        first = keras.Input((self.width,))
        second = keras.Input((self.width,))
        distance = layers.Subtract()([self.encoder(first), self.encoder.output])
        same = layers.Dense(1, activation="sigmoid")(layers.Lambda(keras.ops.abs)(distance))
        return keras.Model([first, second], same)


scorer = PairScorer()
scorer.model.compile("adam", "binary_crossentropy")
readings = np.random.rand(2, 30, 10).astype("float32")
scorer.model.fit([readings[0], readings[1]], np.random.randint(0, 2, (30, 1)), epochs=1, verbose=0)
