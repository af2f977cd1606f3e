import numpy as np
import keras
from keras import layers


class TwinTower(keras.Model):
    """Scores how alike two feature vectors are, with one encoder applied to both."""

    def __init__(self):
        super().__init__()
        self.encode = layers.Dense(6, activation="relu")
        self.compare = layers.Dense(1, activation="sigmoid")

    def call(self, pair):
        left, right = pair
        a = self.encode(left)
        b = self.encode(right)
        return self.compare(keras.ops.abs(a - b))


twin = TwinTower()
twin.compile("adam", "binary_crossentropy")
x1, x2 = np.random.rand(8, 4), np.random.rand(8, 4)
twin.fit([x1, x2], np.random.randint(0, 2, (8, 1)), verbose=0)

inp = keras.Input((4,))
shared = layers.Dense(4, activation="relu")
once = shared(inp)
twice = shared(once)
joined = layers.Concatenate()([once, twice])
keras.Model(inp, layers.Dense(1)(joined)).summary(print_fn=lambda line: None)
