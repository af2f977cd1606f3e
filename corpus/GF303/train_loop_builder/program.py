import numpy as np
import tensorflow as tf
from tensorflow import keras


def train(epochs=2):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(0.01)

    @tf.function
    def train_step(x, y):
        steps = tf.Variable(0, dtype=tf.int64)  # how many updates ran
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        steps.assign_add(1)
        return loss

    x = np.random.rand(8, 3).astype("float32")
    y = np.random.rand(8, 1).astype("float32")
    for _ in range(epochs):
        train_step(x, y)
    return model


train()
