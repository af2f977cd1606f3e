import numpy as np
import tensorflow as tf
from tensorflow import keras


class BetaVAE:
    def __init__(self, features, beta):
        self.beta = beta
        inputs = keras.Input(shape=(features,))
        h = keras.layers.Dense(8, activation="relu")(inputs)
        self.z_mean = keras.layers.Dense(2)(h)
        self.z_log_var = keras.layers.Dense(2)(h)
        z = keras.layers.Lambda(self.sample)([self.z_mean, self.z_log_var])
        self.model = keras.Model(inputs, keras.layers.Dense(features)(z))

    @staticmethod
    def sample(args):
        mean, log_var = args
        return mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))

    def kl_loss(self, y_true, y_pred):
        return -0.5 * tf.reduce_sum(1 + self.z_log_var - tf.square(self.z_mean) - tf.exp(self.z_log_var), axis=1)

    def reconstruction_loss(self, y_true, y_pred):
        return tf.reduce_mean(tf.square(y_true - y_pred), axis=1)

    def total_loss(self, y_true, y_pred):
        return self.reconstruction_loss(y_true, y_pred) + self.kl_loss(y_true, y_pred)

    def compile(self):
        self.model.compile(optimizer="adam", loss=self.total_loss, metrics=[self.reconstruction_loss, self.kl_loss])


vae = BetaVAE(6, beta=1.0)
vae.compile()
data = np.random.rand(16, 6).astype("float32")
print(sorted(vae.model.fit(data, data, batch_size=8, epochs=1, verbose=0).history))
