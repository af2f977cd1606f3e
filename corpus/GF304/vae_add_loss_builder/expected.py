"""A VAE whose KL term is given to the built functional model's add_loss (keras, builder)."""
import numpy as np
import keras


class KlLoss(keras.layers.Layer):
    """Adds the loss the program gave `add_loss`, computed from the model's own tensors."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        kl = -0.5 * keras.ops.sum(1 + z_log_var - keras.ops.square(z_mean) - keras.ops.exp(z_log_var), axis=-1)
        self.add_loss(keras.ops.mean(kl))
        return inputs


def sample(args):
    mean, log_var = args
    return mean + keras.ops.exp(0.5 * log_var) * keras.random.normal(keras.ops.shape(mean))


def build_vae(features, latent=2):
    inputs = keras.Input(shape=(features,))
    h = keras.layers.Dense(8, activation="relu")(inputs)
    z_mean = keras.layers.Dense(latent)(h)
    z_log_var = keras.layers.Dense(latent)(h)
    z_mean, z_log_var = KlLoss()([z_mean, z_log_var])
    z = keras.layers.Lambda(sample)([z_mean, z_log_var])
    outputs = keras.layers.Dense(features, activation="sigmoid")(z)
    vae = keras.Model(inputs, outputs)
    vae.compile(optimizer="adam", loss="binary_crossentropy")
    return vae


data = np.random.rand(16, 6).astype("float32")
vae = build_vae(6)
vae.fit(data, data, batch_size=8, epochs=1, verbose=0)
print(len(vae.losses))
