import keras
import numpy as np
import tensorflow as tf


def learned_temperature(logits):
    temperature = tf.Variable(tf.ones([1]), name="temperature")
    return logits / temperature


class Scorer(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.logits = keras.layers.Dense(3)
        self.calibrate = keras.layers.Lambda(learned_temperature)

    def call(self, x):
        return self.calibrate(self.logits(self.hidden(x)))


model = Scorer()
optimizer = keras.optimizers.SGD(0.1)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


x = np.random.rand(8, 5).astype("float32")
y = np.random.randint(0, 3, size=(8,))
for epoch in range(2):
    print(float(train_step(x, y)))
