import numpy as np
import keras
from keras import layers


class Batches(keras.utils.Sequence):
    def __init__(self, x, y, batch_size=8):
        super().__init__()
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return len(self.x) // self.batch_size

    def __getitem__(self, i):
        s = slice(i * self.batch_size, (i + 1) * self.batch_size)
        return self.x[s], self.y[s]


inputs = keras.Input((12,))
outputs = layers.Dense(2, activation="softmax")(layers.Dense(6, activation="relu")(inputs))
net = keras.Model(inputs, outputs)
net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
data = Batches(np.random.rand(32, 12), np.random.randint(0, 2, 32))
net.fit(data, epochs=1, verbose=0)
loss, acc = net.evaluate(data, steps=2)
probs = net.predict(data, steps=2)
print(loss, acc, probs.shape)
