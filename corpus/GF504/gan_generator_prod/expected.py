import numpy as np
from keras.layers import Input, Dense, Reshape, Flatten, LeakyReLU, BatchNormalization
from keras.models import Sequential, Model

img_rows, img_cols, channels = 8, 8, 1
img_shape = (img_rows, img_cols, channels)
latent_dim = 20


def build_generator():
    model = Sequential()
    model.add(Input((latent_dim,)))
    model.add(Dense(64))
    model.add(LeakyReLU(alpha=0.2))
    model.add(BatchNormalization(momentum=0.8))
    model.add(Dense(int(np.prod(img_shape)), activation="tanh"))
    model.add(Reshape(img_shape))
    noise = Input(shape=(latent_dim,))
    return Model(noise, model(noise))


def build_discriminator():
    model = Sequential([Input(img_shape), Flatten(), Dense(32), LeakyReLU(alpha=0.2), Dense(1, activation="sigmoid")])
    img = Input(shape=img_shape)
    return Model(img, model(img))


generator = build_generator()
discriminator = build_discriminator()
discriminator.compile(loss="binary_crossentropy", optimizer="adam")
imgs = generator.predict(np.random.normal(0, 1, (4, latent_dim)), verbose=0)
print(imgs.shape, discriminator.predict(imgs, verbose=0).ravel())
