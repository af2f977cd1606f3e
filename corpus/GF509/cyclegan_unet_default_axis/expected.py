import numpy as np
import keras
from keras.layers import Input, Conv2D, UpSampling2D, Concatenate, LeakyReLU
from keras.models import Model


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


def conv2d(layer_input, filters):
    d = Conv2D(filters, kernel_size=3, strides=2, padding='same')(layer_input)
    d = LeakyReLU(negative_slope=0.2)(d)
    return InstanceNormalization()(d)


def build_generator(img_shape=(8, 8, 3)):
    d0 = Input(shape=img_shape)
    d1 = conv2d(d0, 4)
    u1 = UpSampling2D(size=2)(d1)
    u1 = Conv2D(4, kernel_size=3, padding='same', activation='relu')(u1)
    u1 = InstanceNormalization()(u1)
    u1 = Concatenate()([u1, d0])
    return Model(d0, Conv2D(3, kernel_size=3, padding='same', activation='tanh')(u1))


g = build_generator()
g.compile(optimizer='adam', loss='mae')
g.train_on_batch(np.random.rand(2, 8, 8, 3), np.random.rand(2, 8, 8, 3))
