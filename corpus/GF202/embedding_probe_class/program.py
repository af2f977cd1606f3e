"""Nearest-neighbour lookup on the penultimate layer of a small tagger."""
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras import layers


class EmbeddingProbe:
    def __init__(self, model, layer_name):
        self.model = model
        target = model.get_layer(layer_name).output
        self._embed = K.function([model.input, K.learning_phase()], [target])

    def embed(self, batch):
        return self._embed([batch, 0])[0]

    def nearest(self, query, pool):
        pool_codes = self.embed(pool)
        distances = np.linalg.norm(pool_codes - self.embed(query[None])[0], axis=1)
        return int(distances.argmin())


words = tf.keras.Input(shape=(6,))
hidden = layers.Dense(12, activation="relu")(words)
hidden = layers.Dropout(0.3)(hidden)
code = layers.Dense(4, activation="tanh", name="code")(hidden)
tags = layers.Dense(5, activation="softmax")(code)
tagger = tf.keras.Model(words, tags)
tagger.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
pool = np.random.rand(30, 6).astype("float32")
tagger.fit(pool, np.random.randint(0, 5, 30), epochs=1, verbose=0)

probe = EmbeddingProbe(tagger, "code")
print("closest:", probe.nearest(pool[3], pool))
