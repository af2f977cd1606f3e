"""Small residual network: building blocks in helper functions (Keras 1/2 idioms)."""
import numpy as np
from keras.layers import Input, Dense, Activation, merge
from keras.layers.normalization import BatchNormalization
from keras.layers.convolutional import Convolution2D, MaxPooling2D
from keras.layers.core import Flatten
from keras.models import Model
from keras.optimizers import Adam

from utils import load_mnist


def residual_block(x, nb_filter):
    shortcut = x
    y = Convolution2D(nb_filter, 3, 3, border_mode='same')(x)
    y = BatchNormalization()(y)
    y = Activation('relu')(y)
    y = Convolution2D(nb_filter, 3, 3, border_mode='same')(y)
    return merge([shortcut, y], mode='sum')


def build(nb_filter=8):
    inp = Input(shape=(28, 28, 1))
    x = Convolution2D(nb_filter, 3, 3, border_mode='same', activation='relu')(inp)
    x = residual_block(x, nb_filter)
    x = MaxPooling2D(pool_size=(2, 2))(x)
    x = residual_block(x, nb_filter)
    x = Flatten()(x)
    out = Dense(10, activation='softmax')(x)
    return Model(inp, out)


(x_train, y_train), (x_test, y_test) = load_mnist(flatten=False)
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
model = build()
model.compile(optimizer=Adam(lr=1e-3), loss='categorical_crossentropy', metrics=['accuracy'])
model.fit(x_train, y_train, batch_size=64, nb_epoch=1, verbose=2)
print(model.evaluate(x_test, y_test, verbose=0))
