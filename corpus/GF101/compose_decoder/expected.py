import numpy as np
from keras.layers import Dense, Input
from keras.models import Model

inputs = Input(shape=(10,))
encoded = Dense(3, activation="tanh")(inputs)
encoder = Model(inputs, encoded)

decoder_input = Input(shape=(3,))
decoded = Dense(10)(Dense(6, activation="relu")(decoder_input))
decoder = Model(decoder_input, decoded)

autoencoder = Model(inputs, decoder(encoded))
autoencoder.compile("adam", "mse")
batch = np.random.rand(4, 10)
autoencoder.train_on_batch(batch, batch)
print(decoder.predict(encoder.predict(batch, verbose=0), verbose=0).shape)
