"""WGAN-GP critic trainer on 2-D points, half migrated: keras.ops math, but the Keras 2 gradient
penalty loss still takes K.gradients."""
from functools import partial

import numpy as np
from keras import ops
from keras.layers import Dense, Input, Lambda
from keras.models import Model, Sequential
from keras.optimizers import Adam
import tensorflow as tf
import keras


class InputGradients(keras.layers.Layer):
    """What Keras 2's `K.gradients(wrapped(x), x)[0]` gave a loss: the gradient of the wrapped
    model's outputs (summed) with respect to its input, computed under a `tf.GradientTape`."""

    def __init__(self, wrapped, **kwargs):
        super().__init__(**kwargs)
        self.wrapped = wrapped

    def call(self, inputs):
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = self.wrapped(inputs)
        return tape.gradient(outputs, inputs)


def wasserstein(y_true, y_pred):
    return ops.mean(y_true * y_pred)


def gradient_penalty(y_true, y_pred, interpolates, weight=10.0):
    grads = y_pred
    slopes = ops.sqrt(ops.sum(ops.square(grads), axis=1))
    return weight * ops.mean(ops.square(slopes - 1.0))


def build_trainer(critic, batch):
    real = Input((2,))
    fake = Input((2,))
    alpha = Input((1,))
    mixed = Lambda(lambda t: t[2] * t[0] + (1.0 - t[2]) * t[1])([real, fake, alpha])
    mixed_score = InputGradients(critic)(mixed)
    penalty = partial(gradient_penalty, interpolates=mixed)
    trainer = Model([real, fake, alpha], [critic(real), critic(fake), mixed_score])
    trainer.compile(optimizer=Adam(1e-3), loss=[wasserstein, wasserstein, penalty])
    return trainer


critic = Sequential([Input((2,)), Dense(8, activation="relu"), Dense(1)])
trainer = build_trainer(critic, 8)
real = np.random.normal(size=(8, 2)).astype("float32")
fake = np.random.uniform(-1, 1, size=(8, 2)).astype("float32")
alpha = np.random.uniform(size=(8, 1)).astype("float32")
ones = np.ones((8, 1), "float32")
losses = trainer.train_on_batch([real, fake, alpha], [-ones, ones, ones])
print("critic losses", np.round(losses, 3))
