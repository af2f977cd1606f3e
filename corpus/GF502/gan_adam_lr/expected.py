import numpy as np
import keras
from keras.layers import Dense, LeakyReLU, Input
from keras.models import Sequential, Model

optimizer = keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5)

generator = Sequential([Input((10,)), Dense(16), LeakyReLU(0.2), Dense(4, activation="tanh")])
discriminator = Sequential([Input((4,)), Dense(16), LeakyReLU(0.2), Dense(1, activation="sigmoid")])
discriminator.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])

discriminator.trainable = False
z = Input((10,))
gan = Model(z, discriminator(generator(z)))
gan.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5))

for step in range(2):
    noise = np.random.normal(size=(8, 10))
    gen_samples = generator.predict(noise, verbose=0)
    d_loss = discriminator.train_on_batch(gen_samples, np.zeros((8, 1)))
    g_loss = gan.train_on_batch(noise, np.ones((8, 1)))
    print(step, d_loss, g_loss)
