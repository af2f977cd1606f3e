"""A trainer object whose traced step makes its optimizer (custom training loop, tf.keras)."""
import numpy as np
import tensorflow as tf


class Trainer:
    def __init__(self, model, learning_rate=1e-2):
        self.model = model
        self.learning_rate = learning_rate
        self.optimizer = tf.keras.optimizers.SGD(self.learning_rate)

    @tf.function
    def train_step(self, x, y):
        optimizer = self.optimizer
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.model(x) - y))
        grads = tape.gradient(loss, self.model.trainable_variables)
        optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
        return loss


net = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])
trainer = Trainer(net)
x = np.random.rand(8, 3).astype("float32")
y = np.random.rand(8, 1).astype("float32")
for epoch in range(2):
    print(epoch, float(trainer.train_step(x, y)))
