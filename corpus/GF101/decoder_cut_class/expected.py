import numpy as np
import keras
from keras import layers


class SpectrumCompressor:
    """Learns a 2-number code for 16-bin spectra; `decode` maps codes back to spectra."""

    def __init__(self, bins=16, code=2):
        spectrum = keras.Input(shape=(bins,), name="spectrum")
        hidden = layers.Dense(8, activation="tanh", name="enc_hidden")(spectrum)
        latent = layers.Dense(code, name="latent")(hidden)
        expanded = layers.Dense(8, activation="tanh", name="dec_hidden")(latent)
        restored = layers.Dense(bins, name="restored")(expanded)
        self.autoencoder = keras.Model(spectrum, restored)
        self.autoencoder.compile(optimizer="adam", loss="mse")
        code_in = keras.Input(shape=(code,), name="code")
        self.decoder = keras.Model(code_in, self.autoencoder.get_layer("restored")(self.autoencoder.get_layer("dec_hidden")(code_in)))

    def train(self, spectra):
        self.autoencoder.fit(spectra, spectra, epochs=2, verbose=0)

    def decode(self, codes):
        return self.decoder.predict(codes, verbose=0)


compressor = SpectrumCompressor()
compressor.train(np.random.rand(32, 16).astype("float32"))
print(compressor.decode(np.zeros((1, 2), dtype="float32")).shape)
