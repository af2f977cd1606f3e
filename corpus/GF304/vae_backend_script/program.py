import numpy as np
from tensorflow.keras import backend as K
from tensorflow.keras import losses
from tensorflow.keras.layers import Dense, Input, Lambda
from tensorflow.keras.models import Model

original_dim = 6
latent_dim = 2


def sampling(args):
    z_mean, z_log_var = args
    epsilon = K.random_normal(shape=(K.shape(z_mean)[0], latent_dim))
    return z_mean + K.exp(z_log_var / 2) * epsilon


x = Input(shape=(original_dim,))
h = Dense(8, activation="relu")(x)
z_mean = Dense(latent_dim)(h)
z_log_var = Dense(latent_dim)(h)
z = Lambda(sampling)([z_mean, z_log_var])
decoded = Dense(original_dim, activation="sigmoid")(Dense(8, activation="relu")(z))
vae = Model(x, decoded)


def vae_loss(x, x_decoded_mean):
    xent_loss = original_dim * losses.binary_crossentropy(x, x_decoded_mean)
    kl_loss = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
    return K.mean(xent_loss + kl_loss)


vae.compile(optimizer="rmsprop", loss=vae_loss)
data = np.random.rand(16, original_dim).astype("float32")
vae.fit(data, data, batch_size=8, epochs=1, verbose=0)
