import numpy as np
import tensorflow as tf


class TextScorer(tf.keras.Model):
    """Embeds token ids, mixes them with a dense block, pools and scores."""

    def __init__(self, vocab=50, width=12):
        super().__init__()
        self.embed = tf.keras.layers.Embedding(vocab, width)
        self.mix = tf.keras.layers.Dense(width, activation="gelu")
        self.pool = tf.keras.layers.GlobalAveragePooling1D()
        self.score = tf.keras.layers.Dense(1)

    def call(self, tokens):
        tokens_emb = self.embed(tokens)
        mixed = self.mix(tokens_emb)
        pooled = self.pool(mixed)
        return self.score(pooled)


scorer = TextScorer()
scorer.compile(optimizer="adam", loss="mse")
ids = np.random.randint(0, 50, size=(16, 7))
scorer.fit(ids, np.random.rand(16, 1), epochs=1, batch_size=8, verbose=0)
