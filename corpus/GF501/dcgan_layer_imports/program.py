"""DCGAN on MNIST-sized images (2017 style)."""
import numpy as np
from keras.models import Sequential, Model
from keras.layers import Input
from keras.layers.core import Dense, Reshape, Flatten, Activation
from keras.layers.convolutional import Conv2D, UpSampling2D
from keras.layers.advanced_activations import LeakyReLU
from keras.layers.normalization import BatchNormalization
from keras.optimizers import Adam

latent_dim = 16


def build_generator():
    model = Sequential()
    model.add(Input((latent_dim,)))
    model.add(Dense(7 * 7 * 8))
    model.add(Reshape((7, 7, 8)))
    model.add(UpSampling2D())
    model.add(Conv2D(8, kernel_size=3, padding="same"))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Activation("relu"))
    model.add(UpSampling2D())
    model.add(Conv2D(1, kernel_size=3, padding="same", activation="tanh"))
    return model


def build_discriminator():
    model = Sequential()
    model.add(Input((28, 28, 1)))
    model.add(Conv2D(8, kernel_size=3, strides=2, padding="same"))
    model.add(LeakyReLU(0.2))
    model.add(Flatten())
    model.add(Dense(1, activation="sigmoid"))
    return model


discriminator = build_discriminator()
discriminator.compile(loss="binary_crossentropy", optimizer=Adam(0.0002, 0.5))
generator = build_generator()
z = Input(shape=(latent_dim,))
discriminator.trainable = False
combined = Model(z, discriminator(generator(z)))
combined.compile(loss="binary_crossentropy", optimizer=Adam(0.0002, 0.5))

real = np.random.rand(8, 28, 28, 1).astype("float32") * 2 - 1
noise = np.random.normal(0, 1, (8, latent_dim))
fake = generator.predict(noise, verbose=0)
d_loss = discriminator.train_on_batch(np.concatenate([real, fake]), np.concatenate([np.ones((8, 1)), np.zeros((8, 1))]))
g_loss = combined.train_on_batch(noise, np.ones((8, 1)))
print("d_loss", d_loss, "g_loss", g_loss)
