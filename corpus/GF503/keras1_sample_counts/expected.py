"""Keras 1 style: generators counted in samples per epoch."""
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Input
import math

batch_size = 16


def train_batches(x, y):
    while True:
        for start in range(0, len(x) - batch_size + 1, batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]


def val_batches(x, y, bs=8):
    while True:
        for start in range(0, len(x), bs):
            yield x[start:start + bs], y[start:start + bs]


x = np.random.rand(64, 6).astype("float32")
y = (x.sum(axis=1) > 3).astype("float32")
model = Sequential([Input((6,)), Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(train_batches(x, y), steps_per_epoch=math.ceil(len(x) / batch_size), epochs=1,
                              validation_data=val_batches(x[:16], y[:16]), validation_steps=2,
                              verbose=0)
print(sorted(history.history))
