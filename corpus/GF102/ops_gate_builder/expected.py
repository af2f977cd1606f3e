import numpy as np
import keras
from keras import layers, ops


def build_scorer(n_features=12):
    inputs = keras.Input(shape=(n_features,))
    hidden = layers.Dense(16, activation="relu")(inputs)
    attention = layers.Dense(16, activation="softmax")(hidden)
    attended = ops.multiply(hidden, attention)
    score = layers.Dense(1, activation="sigmoid")(attended)
    return keras.Model(inputs, score)


if __name__ == "__main__":
    scorer = build_scorer()
    scorer.compile(optimizer="adam", loss="binary_crossentropy")
    x = np.random.rand(40, 12).astype("float32")
    scorer.fit(x, (x.sum(axis=1, keepdims=True) > 6).astype("float32"), epochs=1, verbose=0)
