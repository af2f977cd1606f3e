"""A beta-VAE builder whose loss comes from a factory given the encoder's tensors (tf.keras)."""
import numpy as np
import tensorflow as tf


class KlLayer(tf.keras.layers.Layer):
    """Adds the terms of `vae_loss` computed from the model's own tensors to its losses."""

    def call(self, inputs):
        mean, log_var = inputs
        beta = 0.5
        kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mean) - tf.exp(log_var), axis=-1)
        self.add_loss(tf.reduce_mean(beta * kl))
        return inputs


def make_vae_loss():
    def vae_loss(y_true, y_pred):
        reconstruction = tf.reduce_sum(tf.square(y_true - y_pred), axis=-1)
        return tf.reduce_mean(reconstruction)

    return vae_loss


def build_vae(features, latent=2, beta=1.0):
    inputs = tf.keras.Input(shape=(features,))
    h = tf.keras.layers.Dense(8, activation="relu")(inputs)
    z_mean = tf.keras.layers.Dense(latent)(h)
    z_log_var = tf.keras.layers.Dense(latent)(h)
    z_mean, z_log_var = KlLayer()([z_mean, z_log_var])
    z = tf.keras.layers.GaussianNoise(1.0)(z_mean)
    outputs = tf.keras.layers.Dense(features)(tf.keras.layers.Concatenate()([z, z_log_var]))
    vae = tf.keras.Model(inputs, outputs)
    vae.compile(optimizer="adam", loss=make_vae_loss())
    return vae


data = np.random.rand(16, 6).astype("float32")
vae = build_vae(6)
history = vae.fit(data, data, batch_size=8, epochs=1, verbose=0)
print(history.history["loss"][-1])
