import numpy as np
from keras_contrib.layers.normalization.instancenormalization import InstanceNormalization
from keras.layers import Input, Conv2D, UpSampling2D, Concatenate, LeakyReLU
from keras.models import Model


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
