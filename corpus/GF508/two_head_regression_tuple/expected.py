import numpy as np
import keras
from keras import layers

inputs = keras.Input(shape=(5,))
shared = layers.Dense(8, activation='relu')(inputs)
price = layers.Dense(1, name='price')(shared)
volume = layers.Dense(1, name='volume')(shared)
model = keras.Model(inputs, [price, volume])
model.compile(optimizer='adam', loss='mse', metrics=[['mae',], ['mae',]])

x = np.random.rand(32, 5)
history = model.fit(x, [x.sum(axis=1), x.mean(axis=1)], epochs=1, batch_size=8, verbose=0)
print(sorted(history.history))
