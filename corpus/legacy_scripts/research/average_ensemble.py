"""Averaging and dot-product heads over two sub-networks (Keras 1 merge modes 'ave' and 'dot')."""
from keras.models import Model, Sequential
from keras.layers import Input, Dense, merge
from keras.optimizers import Adam

from utils import load_mnist


def tower(name):
    model = Sequential(name=name)
    model.add(Dense(16, activation='relu', input_shape=(784,)))
    model.add(Dense(10, activation='softmax'))
    return model


(x_train, y_train), (x_test, y_test) = load_mnist()
inp = Input(shape=(784,))
a = tower('tower_a')(inp)
b = tower('tower_b')(inp)
averaged = merge([a, b], mode='ave')
agreement = merge([a, b], mode='dot', dot_axes=1)

model = Model(inp, [averaged, agreement])
model.compile(optimizer=Adam(lr=0.01), loss=['categorical_crossentropy', 'mse'],
              metrics=['accuracy'])
model.fit(x_train, [y_train, y_train.max(axis=1, keepdims=True)], batch_size=64, nb_epoch=1, verbose=2)
