import numpy as np
import keras

inp = keras.layers.Input(shape=(6,))
normed = keras.layers.BatchNormalization()(inp)
hidden = keras.layers.Dense(5, activation="relu")(normed)
score = keras.layers.Dense(1)(hidden)
regressor = keras.Model(inputs=normed, outputs=score)
regressor.compile("adam", "mse")
regressor.fit(np.random.rand(8, 6), np.random.rand(8, 1), verbose=0)
