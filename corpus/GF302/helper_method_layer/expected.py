import keras
import numpy as np


class GatedBlock(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = keras.layers.Dense(self.units)

    def project(self, x):
        return self.dense(x)

    def call(self, x):
        return self.project(x) * keras.ops.sigmoid(x[..., : self.units])


model = keras.Sequential([keras.Input(shape=(6,)), GatedBlock(4), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
x = np.random.rand(32, 6).astype("float32")
model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0)
print(len(model.trainable_weights))
