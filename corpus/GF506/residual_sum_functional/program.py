import numpy as np
from keras.layers import Input, Dense, Activation, merge
from keras.models import Model

inputs = Input(shape=(8,))
hidden = Dense(8)(inputs)
hidden = Activation('relu')(hidden)
shortcut = Dense(8)(inputs)
block = merge([hidden, shortcut], mode='sum')
outputs = Dense(1, activation='sigmoid')(block)

model = Model(inputs, outputs)
model.compile(optimizer='adam', loss='binary_crossentropy')
model.fit(np.random.rand(32, 8), np.random.randint(0, 2, (32, 1)), epochs=1, verbose=0)
