import keras
import numpy as np
from keras_contrib.layers.normalization import InstanceNormalization


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
