import numpy as np
import tensorflow as tf
from tensorflow.keras import layers


class ChannelGain(layers.Layer):
    def __init__(self, floor=0.0, **kwargs):
        super().__init__(**kwargs)
        self.floor = floor

    def build(self, input_shape):
        with tf.init_scope():
            gain_value = tf.convert_to_tensor(np.ones(input_shape[-1:]), dtype=tf.float32)
        self.gain = self.add_weight(shape=gain_value.shape, dtype=gain_value.dtype, name="gain", initializer=lambda shape, dtype=None: gain_value)
        with tf.init_scope():
            shift_value = tf.convert_to_tensor(np.zeros(input_shape[-1:]), dtype=tf.float32)
        self.shift = self.add_weight(shape=shift_value.shape, dtype=shift_value.dtype, name="shift", initializer=lambda shape, dtype=None: shift_value)

    def call(self, x):
        floor = self.floor
        gain = self.gain
        shift = self.shift
        return tf.maximum(x * gain + shift, floor)


def build_classifier(width):
    inputs = tf.keras.Input(shape=(6,))
    h = layers.Dense(width)(inputs)
    h = ChannelGain(floor=0.0, name="gain_1")(h)
    h = layers.Dense(width)(h)
    h = ChannelGain(name="gain_2")(h)
    return tf.keras.Model(inputs, layers.Dense(1, activation="sigmoid")(h))


model = build_classifier(8)
model.compile(optimizer="adam", loss="binary_crossentropy")
x = np.random.rand(16, 6).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 3).astype("float32")
model.fit(x, y, batch_size=8, epochs=1, verbose=0)
print(len(model.trainable_weights))
