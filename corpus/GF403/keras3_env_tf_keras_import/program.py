import numpy as np
import keras
import tf_keras as legacy

inp = keras.Input((5,))
out = legacy.layers.Dense(3)(inp)
model = keras.Model(inp, out)
print(model.predict(np.zeros((2, 5)), verbose=0).shape)
