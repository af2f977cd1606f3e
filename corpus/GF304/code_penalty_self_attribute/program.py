import keras
import numpy as np
import tensorflow as tf


class SparseAutoencoder:
    def __init__(self, features, code_size):
        inputs = keras.Input(shape=(features,))
        self.code = keras.layers.Dense(code_size, activation="relu")(inputs)
        outputs = keras.layers.Dense(features)(self.code)
        self.model = keras.Model(inputs, outputs)

    def compile(self, penalty):
        def sparsity(y_true, y_pred):
            return penalty_weight() * tf.reduce_sum(tf.abs(self.code), axis=-1)

        def total(y_true, y_pred):
            mse = tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
            return mse + sparsity(y_true, y_pred)

        self.model.compile(optimizer="adam", loss=total, metrics=[sparsity])


def penalty_weight():
    return 1e-3


auto = SparseAutoencoder(features=6, code_size=3)
auto.compile(penalty=1e-3)
data = np.random.rand(16, 6).astype("float32")
history = auto.model.fit(data, data, batch_size=8, epochs=1, verbose=0)
print(sorted(history.history))
