import numpy as np
from keras import layers
import keras


class Scaler(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), initializer="ones")

    def call(self, x):
        return x * self.scale


temperature = keras.Variable(2.0)
layer = Scaler()
out = layer(np.ones((2, 3), "float32")) / temperature
print(keras.ops.convert_to_numpy(out).shape)
