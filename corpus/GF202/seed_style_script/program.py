import numpy as np
import keras
from keras import backend as K

model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
model.compile("adam", "mse")

# read the hidden activations the Keras 2 way
get_hidden = K.function([model.input], [model.layers[0].output])
hidden = get_hidden([np.random.rand(5, 10)])[0]
print(hidden.shape)
