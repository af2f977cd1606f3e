"""A wrapper that perturbs the wrapped dense layer's kernel in a local tensor: nothing is stored."""
import numpy as np
import tensorflow as tf
from tensorflow import keras


class ScaledKernel(keras.layers.Wrapper):
    def __init__(self, layer, factor=0.5, **kwargs):
        super().__init__(layer, **kwargs)
        self.factor = factor

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def call(self, inputs):
        kernel = self.layer.kernel * self.factor
        return self.layer.activation(tf.matmul(inputs, kernel) + self.layer.bias)


inputs = keras.Input(shape=(4,))
outputs = keras.layers.Dense(1)(ScaledKernel(keras.layers.Dense(3, activation="relu"))(inputs))
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="mse")
x = np.random.rand(16, 4).astype("float32")
model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0)
print(model.predict(x[:2], verbose=0).shape)
