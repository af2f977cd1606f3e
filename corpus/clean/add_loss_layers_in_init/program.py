"""An autoencoding regressor whose layers are all made in the constructor: add_loss in call is fine."""
import numpy as np
import tensorflow as tf
from tensorflow import keras


class AuxRegressor(keras.Model):
    def __init__(self, n_features, **kwargs):
        super().__init__(**kwargs)
        self.body = keras.layers.Dense(8, activation="tanh")
        self.recon = keras.layers.Dense(n_features)
        self.out = keras.layers.Dense(1)

    def call(self, inputs):
        z = self.body(inputs)
        self.add_loss(0.01 * tf.reduce_mean(tf.square(self.recon(z) - inputs)))
        return self.out(z)


data = np.random.rand(40, 4).astype("float32")
target = data[:, :1]
net = AuxRegressor(4)
net.compile(optimizer="adam", loss="mse")
net.fit(data, target, batch_size=10, epochs=1, verbose=0)
print(net.evaluate(data, target, verbose=0))
