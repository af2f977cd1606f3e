import numpy as np
import tensorflow as tf


class SeqToVec(tf.keras.Model):
    """A functional graph wrapped in a Model subclass."""

    def __init__(self, steps=5, features=3, units=8):
        tokens = tf.keras.Input(shape=(steps, features))
        summary = tf.keras.layers.GRU(units)(tokens)
        logits = tf.keras.layers.Dense(2)(summary)
        super().__init__(inputs=tokens, outputs=logits)


clf = SeqToVec()
print(clf(np.zeros((2, 5, 3), "float32")).shape)
