import tensorflow as tf


class Towers:
    """Builds a two-tower model; the towers meet in a cosine-like score."""

    def __init__(self, dim):
        self.dim = dim

    def build(self):
        query = tf.keras.Input((self.dim,))
        doc = tf.keras.Input((self.dim,))
        q = tf.keras.layers.Dense(4)(query)
        d = tf.keras.layers.Dense(4)(doc)
        score = tf.keras.ops.sum(tf.keras.ops.multiply(q, d), axis=-1, keepdims=True)
        return tf.keras.Model([query, doc], score)


model = Towers(9).build()
model.summary(print_fn=lambda *args, **kwargs: None)
