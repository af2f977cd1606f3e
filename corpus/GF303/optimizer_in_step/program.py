import numpy as np
import tensorflow as tf


class Regressor(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(8, activation="relu")
        self.head = tf.keras.layers.Dense(1)

    def call(self, x):
        return self.head(self.hidden(x))


@tf.function
def fit_batch(model, x, y):
    optimizer = tf.keras.optimizers.Adam(1e-2)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


model = Regressor()
features = np.random.rand(16, 3).astype("float32")
targets = features.sum(axis=1, keepdims=True)
for epoch in range(3):
    print(epoch, float(fit_batch(model, tf.constant(features), tf.constant(targets))))
