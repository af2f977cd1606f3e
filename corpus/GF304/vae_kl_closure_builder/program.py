import numpy as np
import tensorflow as tf

LATENT = 2


def sample(args):
    mean, log_var = args
    return mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))


def build_vae(features):
    inputs = tf.keras.Input(shape=(features,))
    h = tf.keras.layers.Dense(8, activation="relu")(inputs)
    z_mean = tf.keras.layers.Dense(LATENT)(h)
    z_log_var = tf.keras.layers.Dense(LATENT)(h)
    z = tf.keras.layers.Lambda(sample)([z_mean, z_log_var])
    h = tf.keras.layers.Dense(8, activation="relu")(z)
    outputs = tf.keras.layers.Dense(features, activation="sigmoid")(h)
    vae = tf.keras.Model(inputs, outputs)

    def vae_loss(x, x_decoded):
        reconstruction = features * tf.keras.losses.binary_crossentropy(x, x_decoded)
        kl = -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)
        return tf.reduce_mean(reconstruction + kl)

    vae.compile(optimizer="adam", loss=vae_loss)
    return vae


vae = build_vae(6)
data = np.random.rand(16, 6).astype("float32")
history = vae.fit(data, data, batch_size=8, epochs=1, verbose=0)
print(history.history["loss"][-1])
