"""Mean relative error as a custom metric of a subclassed regressor (tf.keras)."""
import numpy as np
import tensorflow as tf


class MeanRelativeError(tf.keras.metrics.Metric):
    def __init__(self, name="mean_relative_error", **kwargs):
        super().__init__(name=name, **kwargs)
        self.errors_total = self.add_weight(name='errors_total', initializer='zeros')
        self.errors_count = self.add_weight(name='errors_count', initializer='zeros')

    def update_state(self, y_true, y_pred, sample_weight=None):
        errors = tf.abs(y_true - y_pred) / (tf.abs(y_true) + 1.0)
        self.errors_total.assign_add(tf.reduce_sum(errors))
        self.errors_count.assign_add(tf.cast(tf.size(errors), self.dtype))

    def result(self):
        return tf.math.divide_no_nan(self.errors_total, self.errors_count)


class Regressor(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(8, activation="relu")
        self.out = tf.keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


x = np.random.rand(40, 3).astype("float32")
y = x.sum(axis=1, keepdims=True)
model = Regressor()
model.compile(optimizer="adam", loss="mse", metrics=[MeanRelativeError()])
model.fit(x, y, batch_size=10, epochs=1, verbose=0)
print(model.evaluate(x, y, verbose=0))
