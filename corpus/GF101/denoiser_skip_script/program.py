import numpy as np
import keras
from keras import layers

WINDOW = 32


def up_block(x, lateral, filters):
    x = layers.UpSampling1D(2)(x)
    x = layers.Conv1D(filters, 3, padding="same")(x)
    return layers.Add()([x, lateral])


# encoder
signal = keras.Input(shape=(WINDOW, 1))
e1 = layers.Conv1D(8, 3, padding="same", activation="relu")(signal)
e2 = layers.Conv1D(16, 3, strides=2, padding="same", activation="relu")(e1)
bottleneck = layers.Conv1D(16, 3, strides=2, padding="same", activation="relu")(e2)
encoder = keras.Model(signal, bottleneck)

# decoder, with lateral connections
latent = keras.Input(shape=(WINDOW // 4, 16))
d2 = up_block(latent, e2, 16)
d1 = up_block(d2, e1, 8)
clean_signal = layers.Conv1D(1, 1)(d1)
decoder = keras.Model(latent, clean_signal)

noisy = keras.Input(shape=(WINDOW, 1))
denoiser = keras.Model(noisy, decoder(encoder(noisy)))
denoiser.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")

t = np.linspace(0, 8, WINDOW, dtype="float32")
clean = np.sin(t[None, :, None] + np.arange(20, dtype="float32")[:, None, None])
denoiser.fit(clean + 0.1 * np.random.randn(*clean.shape).astype("float32"), clean, epochs=2, verbose=0)
print(denoiser.count_params())
