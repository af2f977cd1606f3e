"""Next-step sampler kept in a class: the sampling graph is built once from the network output."""
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras import layers, models


class Sampler:
    def __init__(self, vocab, window=6):
        self.vocab = vocab
        self.window = window
        self.sess = K.get_session()
        self.next_probs = self._sampling_graph()

    def _sampling_graph(self):
        self.net = models.Sequential([
            layers.Input(shape=(self.window, len(self.vocab))),
            layers.LSTM(12),
            layers.Dense(len(self.vocab), activation="softmax"),
        ])
        self.temperature = K.placeholder(shape=())
        scaled = K.log(self.net.output + 1e-7) / self.temperature
        probs = K.softmax(scaled)
        return probs

    def step(self, window, temperature=1.0):
        probs = self.sess.run(self.next_probs, feed_dict={self.net.input: window, self.temperature: temperature})
        return probs


sampler = Sampler(list("abcdef"))
seed = np.eye(6, dtype="float32")[np.random.randint(0, 6, size=(1, 6))]
p = sampler.step(seed, temperature=0.8)
print(p.shape, round(float(p.sum()), 3))
