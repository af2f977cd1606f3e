import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"  # this project pins the Keras 2 API

import numpy as np
import tf_keras as keras
import tensorflow as tf

features = keras.Input(shape=(10,))
hidden = tf.keras.layers.Dense(8, activation="relu")(features)
scores = tf.keras.layers.Dense(2, activation="softmax")(hidden)
clf = tf.keras.Model(features, scores)
clf.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
clf.fit(np.random.rand(16, 10), np.random.randint(0, 2, 16), verbose=0)
