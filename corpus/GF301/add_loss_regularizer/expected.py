import numpy as np
import tensorflow as tf
import keras


class ActivityPenalty(keras.layers.Layer):
    def __init__(self, rate=0.01, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate

    def call(self, x):
        self.add_loss(self.rate * keras.ops.sum(keras.ops.square(x)))
        return x


def build():
    inputs = keras.Input((5,))
    hidden = ActivityPenalty()(keras.layers.Dense(3)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    model.compile("adam", "mse")
    model.fit(np.ones((4, 5)), np.ones((4, 1)), verbose=0)
    assert model.losses, "the activity penalty is part of the loss"
    return model


build()
