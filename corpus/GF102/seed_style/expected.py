import numpy as np
import tensorflow as tf

input_img = tf.keras.layers.Input(shape=(64,))
encoded = tf.keras.layers.Dense(8, activation="relu")(input_img)
decoded = tf.keras.layers.Dense(64, activation="sigmoid")(encoded)

autoencoder = tf.keras.models.Model(input_img, decoded)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
x = np.random.rand(16, 64).astype("float32")
autoencoder.fit(x, x, epochs=1, batch_size=8, verbose=0)
