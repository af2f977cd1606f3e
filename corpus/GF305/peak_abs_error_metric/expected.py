"""Worst absolute error seen, reported by a Sequential model built in a helper (keras)."""
import keras
import numpy as np
import tensorflow as tf
from keras import metrics


class PeakAbsError(metrics.Metric):
    def __init__(self, **kwargs):
        super().__init__(name="peak_abs_error", **kwargs)
        self.worst_maximum = self.add_weight(name='worst_maximum', initializer='zeros')

    def update_state(self, y_true, y_pred, sample_weight=None):
        worst = tf.abs(tf.cast(y_true, "float32") - y_pred)
        self.worst_maximum.assign(tf.maximum(self.worst_maximum, tf.reduce_max(worst)))

    def result(self):
        return tf.identity(self.worst_maximum)


def make_model():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(6, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mae", metrics=[PeakAbsError()])
    return model


data = np.random.rand(32, 4).astype("float32")
target = data.mean(axis=1, keepdims=True)
net = make_model()
net.fit(data, target, batch_size=8, epochs=1, verbose=0)
print(net.evaluate(data, target, verbose=0))
