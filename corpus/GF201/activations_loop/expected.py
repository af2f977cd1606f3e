import numpy as np
import keras

model = keras.Sequential(
    [keras.Input((6,)), keras.layers.Dense(5, activation="relu"), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)]
)
# one extractor per hidden layer, as in Keras 2 tutorials
for layer in model.layers[:-1]:
    probe = keras.Model(model.inputs, layer.output)
    print(layer.name, probe.predict(np.ones((1, 6)), verbose=0).shape)
