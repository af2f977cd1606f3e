"""An MLP whose hidden stack is built in call (keras, subclassed model with its own train_step)."""
import numpy as np
import keras
import tensorflow as tf


class StackedRegressor(keras.Model):
    def __init__(self, widths=(8, 4)):
        super().__init__()
        self.widths = widths
        self.head = keras.layers.Dense(1)

    def call(self, x):
        for width in self.widths:
            x = keras.layers.Dense(width, activation="relu")(x)
        return self.head(x)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(self(x, training=True) - y))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


model = StackedRegressor()
model.compile(optimizer="adam")
model.fit(np.random.rand(16, 3), np.random.rand(16, 1), batch_size=8, epochs=1, verbose=0)
print(len(model.trainable_weights))
