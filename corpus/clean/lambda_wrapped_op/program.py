import numpy as np
import tensorflow as tf
import keras

inp = keras.Input((8, 8, 1))
resized = keras.layers.Lambda(lambda t: tf.image.resize(t, (4, 4)))(inp)
out = keras.layers.Dense(1)(keras.layers.Flatten()(resized))
model = keras.Model(inp, out)
print(model.predict(np.zeros((1, 8, 8, 1)), verbose=0).shape)
