"""Next-step sampler kept in a class: the sampling graph is built once from the network output."""
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras import layers, models


class Sampler:
    def __init__(self, vocab, window=6):
        self.vocab = vocab
        self.window = window
        self._sampling_graph()

    def _sampling_graph(self):
        self.net = models.Sequential([
            layers.Input(shape=(self.window, len(self.vocab))),
            layers.LSTM(12),
            layers.Dense(len(self.vocab), activation="softmax"),
        ])

        def decode_probs(net_output, temperature):
            scaled = K.log(net_output + 1e-7) / temperature
            return K.softmax(scaled)
        self.decode_probs = decode_probs

    def step(self, window, temperature=1.0):
        probs = np.asarray(self.decode_probs(self.net(window, training=False), tf.constant(temperature, dtype='float32')))
        return probs


sampler = Sampler(list("abcdef"))
seed = np.eye(6, dtype="float32")[np.random.randint(0, 6, size=(1, 6))]
p = sampler.step(seed, temperature=0.8)
print(p.shape, round(float(p.sum()), 3))
