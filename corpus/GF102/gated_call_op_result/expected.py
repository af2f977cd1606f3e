"""Sentence classifier with a learned feature gate (squeeze-and-excitation style)."""
import numpy as np
import tensorflow as tf


class GatedClassifier(tf.keras.Model):
    def __init__(self, vocab=50, width=8, classes=3):
        super().__init__()
        self.embed = tf.keras.layers.Embedding(vocab, width)
        self.pool = tf.keras.layers.GlobalAveragePooling1D()
        self.gate = tf.keras.layers.Dense(width, activation="sigmoid")
        self.classify = tf.keras.layers.Dense(classes)

    def call(self, tokens, training=False):
        features = self.pool(self.embed(tokens))
        gated = features * self.gate(features)  # scale each feature by its learned gate
        return self.classify(gated)


model = GatedClassifier()
model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
tokens = np.random.randint(0, 50, (24, 10))
labels = np.random.randint(0, 3, 24)
model.fit(tokens, labels, epochs=1, batch_size=8, verbose=0)
