"""Before/after image pair change detector: the same small encoder design is applied to both
images through a helper, and the two codes are compared by a dense head."""
import keras
import numpy as np
from keras import layers

SIDE = 12

before_img = keras.Input(shape=(SIDE, SIDE, 1), name="before")
after_img = keras.Input(shape=(SIDE, SIDE, 1), name="after")


def encode(image, filters=4):
    x = layers.Conv2D(filters, 3, activation="relu")(image)
    x = layers.MaxPooling2D()(x)
    return layers.Flatten()(x)


difference = layers.Subtract()([encode(before_img), encode(after_img, filters=4)])
changed = layers.Dense(1, activation="sigmoid")(difference)
detector = keras.Model([before_img, after_img], changed)
detector.compile(optimizer="adam", loss="binary_crossentropy")

pairs_a = np.random.rand(10, SIDE, SIDE, 1).astype("float32")
pairs_b = np.random.rand(10, SIDE, SIDE, 1).astype("float32")
detector.fit([pairs_a, pairs_b], np.random.randint(0, 2, (10, 1)), epochs=1, verbose=0)
print(detector.count_params())
