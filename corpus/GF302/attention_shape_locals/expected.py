import numpy as np
import keras
from keras import layers


class ChannelGate(layers.Layer):
    """Squeeze-and-excitation gate whose widths follow the input's channels."""

    def __init__(self, ratio=4, **kwargs):
        super().__init__(**kwargs)
        self.ratio = ratio

    def build(self, input_shape):
        _, _, channels = input_shape
        squeezed = max(channels // self.ratio, 1)
        self.squeeze = layers.Dense(squeezed, activation="relu", name="squeeze")
        self.excite = layers.Dense(channels, activation="sigmoid", name="excite")

    def call(self, inputs):
        _, _, channels = inputs.shape
        squeezed = max(channels // self.ratio, 1)
        pooled = keras.ops.mean(inputs, axis=1)
        s = self.squeeze(pooled)
        e = self.excite(s)
        return inputs * keras.ops.expand_dims(e, 1)


inputs = keras.Input(shape=(6, 8))
x = layers.Conv1D(8, 3, padding="same")(inputs)
x = ChannelGate()(x)
outputs = layers.Dense(1)(layers.GlobalAveragePooling1D()(x))
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.rand(16, 6, 8), np.random.rand(16, 1), epochs=1, verbose=0)
print(model.count_params())
