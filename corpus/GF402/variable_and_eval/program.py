import numpy as np
from keras import backend, layers


class Scaler(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), initializer="ones")

    def call(self, x):
        return x * self.scale


temperature = backend.variable(2.0)
layer = Scaler()
out = layer(np.ones((2, 3), "float32")) / temperature
print(backend.eval(out).shape)
