"""A custom mean-squared-log metric that keeps its running values in add_weight variables."""
import numpy as np
import tensorflow as tf
from tensorflow import keras


class MeanSquaredLog(keras.metrics.Metric):
    def __init__(self, name="msl", **kwargs):
        super().__init__(name=name, **kwargs)
        self.total = self.add_weight(name="total", initializer="zeros")
        self.count = self.add_weight(name="count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        errors = tf.square(tf.math.log1p(tf.abs(y_true)) - tf.math.log1p(tf.abs(y_pred)))
        self.total.assign_add(tf.reduce_sum(errors))
        self.count.assign_add(tf.cast(tf.size(errors), self.dtype))

    def result(self):
        return tf.math.divide_no_nan(self.total, self.count)


inputs = keras.Input(shape=(3,))
model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
model.compile(optimizer="adam", loss="mse", metrics=[MeanSquaredLog()])
x = np.random.rand(24, 3).astype("float32")
model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0)
print(model.evaluate(x, x[:, :1], verbose=0))
