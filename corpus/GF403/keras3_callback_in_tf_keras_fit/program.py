import numpy as np
import tensorflow as tf
import keras


class LossHistory(keras.callbacks.Callback):
    """Keeps the loss of every batch for a plot."""

    def on_train_begin(self, logs=None):
        self.losses = []

    def on_batch_end(self, batch, logs=None):
        self.losses.append(logs["loss"])


inputs = tf.keras.Input((4,))
hidden = tf.keras.layers.Dense(8, activation="relu")(inputs)
outputs = tf.keras.layers.Dense(1)(hidden)
regressor = tf.keras.Model(inputs, outputs)
regressor.compile(optimizer="sgd", loss="mse")

history = LossHistory()
regressor.fit(np.random.rand(32, 4), np.random.rand(32, 1), batch_size=8, epochs=1, verbose=0, callbacks=[history])
print(len(history.losses), "batches")
