import numpy as np
import keras
from keras import layers


class TinyTagger(keras.Model):
    def __init__(self, classes):
        super().__init__()
        conv = lambda: layers.Conv1D(6, 3, padding="same", activation="relu")
        self.conv_1 = conv()
        self.conv_2 = conv()
        self.out = layers.Dense(classes)

    def call(self, tokens):
        first = self.conv_1(tokens)
        second = self.conv_2(first)
        return self.out(first + second)


model = TinyTagger(3)
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
model.fit(np.random.rand(8, 5, 2), np.random.randint(0, 3, (8, 5)), epochs=1, verbose=0)
print(model.count_params())
