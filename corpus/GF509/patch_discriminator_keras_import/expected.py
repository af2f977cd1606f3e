import keras
import numpy as np


class InstanceNormalization(keras.layers.Layer):
    """keras_contrib's InstanceNormalization, which Keras 3 lacks: (x - mean) / (std + epsilon)
    over every axis but the batch and `axis`, then gamma and beta (one per `axis` entry, one
    scalar when axis is None)."""

    def __init__(self, axis=None, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = keras.initializers.get(beta_initializer)
        self.gamma_initializer = keras.initializers.get(gamma_initializer)

    def build(self, input_shape):
        shape = (1,) if self.axis is None else (input_shape[self.axis],)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer)

    def call(self, inputs):
        ndim = len(inputs.shape)
        axes = [i for i in range(1, ndim) if self.axis is None or i != self.axis % ndim]
        mean = keras.ops.mean(inputs, axis=axes, keepdims=True)
        stddev = keras.ops.std(inputs, axis=axes, keepdims=True) + self.epsilon
        normed = (inputs - mean) / stddev
        broadcast = [1] * ndim
        if self.axis is not None:
            broadcast[self.axis] = inputs.shape[self.axis]
        if self.scale:
            normed = normed * keras.ops.reshape(self.gamma, broadcast)
        if self.center:
            normed = normed + keras.ops.reshape(self.beta, broadcast)
        return normed

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": keras.initializers.serialize(self.beta_initializer),
                "gamma_initializer": keras.initializers.serialize(self.gamma_initializer)}


def d_layer(layer_input, filters, normalization=True):
    d = keras.layers.Conv2D(filters, kernel_size=4, strides=2, padding='same')(layer_input)
    d = keras.layers.LeakyReLU(negative_slope=0.2)(d)
    if normalization:
        d = InstanceNormalization(epsilon=1e-5)(d)
    return d


img = keras.Input(shape=(16, 16, 3))
validity = keras.layers.Conv2D(1, kernel_size=4, padding='same')(d_layer(d_layer(img, 4, normalization=False), 8))
discriminator = keras.Model(img, validity)
discriminator.compile(loss='mse', optimizer='adam')
print(discriminator.predict(np.random.rand(2, 16, 16, 3), verbose=0).shape)
