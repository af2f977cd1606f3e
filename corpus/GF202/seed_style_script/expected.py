import numpy as np
import keras

model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
model.compile("adam", "mse")

# read the hidden activations the Keras 2 way
get_hidden = keras.Model([model.inputs[0]], [model.layers[0].output])
hidden = get_hidden.predict([np.random.rand(5, 10)], verbose=0)
print(hidden.shape)
