"""Variational autoencoder on MNIST digits (an .npz fetched with get_file), trained with a custom
train_step, then a grid of decoded points of the latent plane."""
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

LATENT = 2

with np.load(keras.utils.get_file("mnist.npz", "https://data.example.org/mnist.npz")) as data:
    digits = np.concatenate([data["x_train"], data["x_test"]], axis=0)
digits = np.expand_dims(digits, -1).astype("float32") / 255


class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = tf.random.normal(shape=tf.shape(z_mean))
        return z_mean + tf.exp(0.5 * z_log_var) * epsilon


encoder_inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(8, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
x = layers.Flatten()(x)
x = layers.Dense(16, activation="relu")(x)
z_mean = layers.Dense(LATENT, name="z_mean")(x)
z_log_var = layers.Dense(LATENT, name="z_log_var")(x)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

latent_inputs = keras.Input(shape=(LATENT,))
x = layers.Dense(14 * 14 * 8, activation="relu")(latent_inputs)
x = layers.Reshape((14, 14, 8))(x)
decoder_outputs = layers.Conv2DTranspose(1, 3, strides=2, activation="sigmoid", padding="same")(x)
decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.loss_tracker = keras.metrics.Mean(name="loss")

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = tf.reduce_mean(tf.reduce_sum(
                keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2)))
            kl_loss = -0.5 * (1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))
            total_loss = reconstruction_loss + tf.reduce_mean(tf.reduce_sum(kl_loss, axis=1))
        grads = tape.gradient(total_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.loss_tracker.update_state(total_loss)
        return {"loss": self.loss_tracker.result()}


vae = VAE(encoder, decoder)
vae.compile(optimizer=keras.optimizers.Adam())
vae.fit(digits, epochs=30, batch_size=128)

reconstruct = keras.Model(encoder_inputs, decoder(encoder(encoder_inputs)[2]))
print("reconstruction:", reconstruct.predict(digits[:8], verbose=0).shape)

n, size = 10, 28
figure = np.zeros((size * n, size * n))
grid_x = np.linspace(-2, 2, n)
grid_y = np.linspace(-2, 2, n)[::-1]
for i, yi in enumerate(grid_y):
    for j, xi in enumerate(grid_x):
        x_decoded = vae.decoder.predict(np.array([[xi, yi]]), verbose=0)
        figure[i * size:(i + 1) * size, j * size:(j + 1) * size] = x_decoded[0].reshape(size, size)
plt.figure(figsize=(10, 10))
plt.imshow(figure, cmap="Greys_r")
plt.show()
