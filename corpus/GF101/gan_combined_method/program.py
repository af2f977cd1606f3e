import numpy as np
from tensorflow.keras.layers import Dense, Input, LeakyReLU
from tensorflow.keras.models import Model
from tensorflow.keras.optimizers import Adam


class TinyGAN:
    def __init__(self, noise_dim=4, data_dim=6):
        self.noise_dim = noise_dim
        self.data_dim = data_dim

        noise = Input(shape=(noise_dim,))
        h = LeakyReLU()(Dense(16)(noise))
        fake = Dense(data_dim, activation="tanh")(h)
        self.gen = Model(noise, fake, name="generator")

        sample = Input(shape=(data_dim,))
        h = LeakyReLU()(Dense(16)(sample))
        validity = Dense(1, activation="sigmoid")(h)
        self.disc = Model(sample, validity, name="discriminator")
        self.disc.compile(optimizer=Adam(1e-3), loss="binary_crossentropy")

        self.combined = self.build_combined()

    def build_combined(self):
        self.disc.trainable = False
        combined = Model(self.gen.input, self.disc.output, name="gan")
        combined.compile(optimizer=Adam(1e-3), loss="binary_crossentropy")
        return combined

    def train_step(self, real):
        batch = len(real)
        noise = np.random.normal(size=(batch, self.noise_dim))
        fake = self.gen.predict(noise, verbose=0)
        d_real = self.disc.train_on_batch(real, np.ones((batch, 1)))
        d_fake = self.disc.train_on_batch(fake, np.zeros((batch, 1)))
        g_loss = self.combined.train_on_batch(noise, np.ones((batch, 1)))
        return d_real, d_fake, g_loss


if __name__ == "__main__":
    gan = TinyGAN()
    real = np.random.uniform(-1, 1, size=(8, 6))
    print(gan.train_step(real))
