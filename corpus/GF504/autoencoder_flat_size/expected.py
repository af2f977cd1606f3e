import numpy as np
import keras

x_train = np.random.rand(32, 6, 6, 2).astype("float32")
input_shape = x_train.shape
flat = np.prod(input_shape[1:])

inp = keras.Input(shape=input_shape[1:])
code = keras.layers.Dense(8, activation="relu")(keras.layers.Flatten()(inp))
decoded = keras.layers.Dense(units=int(flat), activation="sigmoid")(code)
decoded = keras.layers.Reshape(input_shape[1:])(decoded)
autoencoder = keras.Model(inp, decoded)
autoencoder.compile(optimizer="adam", loss="mse")
autoencoder.fit(x_train, x_train, epochs=1, batch_size=8, verbose=0)
print(autoencoder.count_params())
