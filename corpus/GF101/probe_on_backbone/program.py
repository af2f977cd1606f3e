"""Linear probe on a frozen feature backbone."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers


class FrozenFeatures:
    def __init__(self, dim=20, width=8):
        self.dim = dim
        inputs = keras.Input(shape=(dim,))
        x = layers.Dense(16, activation="relu")(inputs)
        features = layers.Dense(width, activation="relu", name="features")(x)
        self.backbone = keras.Model(inputs, features, name="backbone")

    def linear_probe(self, n_classes):
        self.backbone.trainable = False
        probs = layers.Dense(n_classes, activation="softmax", name="probe")(self.backbone.output)
        return keras.Model(keras.Input(shape=(self.dim,)), probs, name="linear_probe")


features = FrozenFeatures()
classifier = features.linear_probe(3)
classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
x = np.random.rand(24, 20).astype("float32")
y = np.random.randint(0, 3, size=(24,))
classifier.fit(x, y, epochs=1, batch_size=8, verbose=0)
print(classifier.evaluate(x, y, verbose=0))
