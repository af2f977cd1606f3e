import numpy as np
import tensorflow as tf
import keras
from keras import layers

left = keras.Input(shape=(6,), name="left")
right = keras.Input(shape=(6,), name="right")
a = layers.Dense(4, activation="relu")(left)
b = layers.Dense(4, activation="relu")(right)
merged = keras.ops.concatenate([a, b], axis=-1)
grid = keras.ops.reshape(merged, [-1, 2, 4])
pooled = keras.ops.mean(grid, axis=1)
score = layers.Dense(1, activation="sigmoid")(pooled)
model = keras.Model([left, right], score)
model.compile("adam", "binary_crossentropy")
model.fit([np.random.rand(8, 6), np.random.rand(8, 6)], np.random.randint(0, 2, (8, 1)), verbose=0)
