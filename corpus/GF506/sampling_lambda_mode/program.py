import numpy as np
from keras import backend as K
from keras.layers import Input, Dense
from keras.layers import merge as merge_layers
from keras.models import Model

latent_dim = 2


def sampling(args):
    z_mean, z_log_var = args
    return z_mean + K.exp(z_log_var / 2) * 0.5


def sampling_shape(shapes):
    return shapes[0]


x = Input(shape=(10,))
h = Dense(8, activation='relu')(x)
z_mean = Dense(latent_dim)(h)
z_log_var = Dense(latent_dim)(h)
z = merge_layers([z_mean, z_log_var],
                 mode=sampling,
                 output_shape=sampling_shape)
decoded = Dense(10)(Dense(8, activation='relu')(z))
vae = Model(x, decoded)
vae.compile(optimizer='rmsprop', loss='mse')
print(vae.predict(np.random.rand(4, 10), verbose=0).shape)
