import numpy as np
import keras

inputs = keras.Input((6,))
features = keras.layers.Dense(4, activation="relu", name="features")(inputs)
backbone = keras.Model(inputs, features)
head_out = keras.layers.Dense(1)(backbone.output)
head = keras.Model(backbone.output, head_out)  # a head that takes precomputed features
print(head.predict(np.zeros((2, 4)), verbose=0).shape)
