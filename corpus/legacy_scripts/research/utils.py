"""Shared helpers for the experiments: data, batches, logging."""
import numpy as np
from keras.datasets import mnist
from keras.utils import np_utils


def load_mnist(flatten=True, limit=512):
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = x_train[:limit].astype('float32') / 255.
    x_test = x_test[:limit].astype('float32') / 255.
    if flatten:
        x_train = x_train.reshape(len(x_train), -1)
        x_test = x_test.reshape(len(x_test), -1)
    return (x_train, np_utils.to_categorical(y_train[:limit], 10)), (x_test, np_utils.to_categorical(y_test[:limit], 10))


def batch_generator(x, y, batch_size):
    while True:
        idx = np.random.randint(0, len(x), batch_size)
        yield x[idx], y[idx]


def log_history(history):
    for key, values in sorted(history.history.items()):
        print(key, ["%.4f" % v for v in values])
