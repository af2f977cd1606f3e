"""A beta-VAE builder whose loss comes from a factory given the encoder's tensors (tf.keras)."""
import numpy as np
import tensorflow as tf


def make_vae_loss(mean, log_var, beta=1.0):
    def vae_loss(y_true, y_pred):
        reconstruction = tf.reduce_sum(tf.square(y_true - y_pred), axis=-1)
        kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mean) - tf.exp(log_var), axis=-1)
        return tf.reduce_mean(reconstruction + beta * kl)

    return vae_loss


def build_vae(features, latent=2, beta=1.0):
    inputs = tf.keras.Input(shape=(features,))
    h = tf.keras.layers.Dense(8, activation="relu")(inputs)
    z_mean = tf.keras.layers.Dense(latent)(h)
    z_log_var = tf.keras.layers.Dense(latent)(h)
    z = tf.keras.layers.GaussianNoise(1.0)(z_mean)
    outputs = tf.keras.layers.Dense(features)(tf.keras.layers.Concatenate()([z, z_log_var]))
    vae = tf.keras.Model(inputs, outputs)
    vae.compile(optimizer="adam", loss=make_vae_loss(z_mean, z_log_var, beta=0.5))
    return vae


data = np.random.rand(16, 6).astype("float32")
vae = build_vae(6)
history = vae.fit(data, data, batch_size=8, epochs=1, verbose=0)
print(history.history["loss"][-1])
