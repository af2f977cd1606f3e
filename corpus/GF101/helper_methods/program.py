import numpy as np
from tensorflow.keras.layers import Input, Dense, Concatenate
from tensorflow.keras.models import Model

class AEBuilder:
    def __init__(self, dim, latent):
        self.dim, self.latent = dim, latent

    def encoder(self, x):
        for units in (32, 16):
            x = Dense(units, activation="relu")(x)
        return Dense(self.latent, name="z")(x)

    def decoder(self, z):
        for units in (16, 32):
            z = Dense(units, activation="relu")(z)
        return Dense(self.dim, activation="sigmoid")(z)

    def build(self):
        inputs = Input((self.dim,))
        z = self.encoder(inputs)
        decoder_in = Input((self.latent,))
        outputs = self.decoder(decoder_in)
        return Model(inputs, outputs)

def main():
    ae = AEBuilder(40, 5).build()
    ae.compile("adam", "mse")
    x = np.random.rand(16, 40)
    ae.fit(x, x, epochs=3, verbose=0)

if __name__ == "__main__":
    main()
