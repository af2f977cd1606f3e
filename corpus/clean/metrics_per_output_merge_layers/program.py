import numpy as np
from keras.layers import Input, Dense, Concatenate, Add
from keras.models import Model

a = Input(shape=(4,))
b = Input(shape=(4,))
joined = Concatenate(axis=-1)([Dense(4)(a), Dense(4)(b)])
summed = Add()([a, b])
model = Model([a, b], [Dense(2, activation='softmax', name='cls')(joined), Dense(1, name='reg')(summed)])
model.compile('adam', ['sparse_categorical_crossentropy', 'mse'], metrics=[['accuracy'], ['mae']])
x = np.random.rand(16, 4)
model.fit([x, x], [np.random.randint(0, 2, 16), x.sum(axis=1)], epochs=1, verbose=0)
