"""Weight noise as a wrapper around a dense layer (Sequential, keras import)."""
import numpy as np
import tensorflow as tf
import keras


class WeightNoise(keras.layers.Wrapper):
    def __init__(self, layer, stddev=0.05, **kwargs):
        super().__init__(layer, **kwargs)
        self.stddev = stddev

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def call(self, inputs, training=None):
        kernel = self.layer.kernel
        if training:
            kernel = kernel + tf.random.normal(tf.shape(kernel), stddev=self.stddev)
        return self.layer.activation(tf.matmul(inputs, kernel) + self.layer.bias)


model = keras.Sequential([
    keras.Input(shape=(6,)),
    WeightNoise(keras.layers.Dense(8, activation="relu")),
    keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
x = np.random.rand(32, 6).astype("float32")
model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0)
print(model.predict(x[:2], verbose=0).shape)
