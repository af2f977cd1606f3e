import numpy as np
import tensorflow as tf


class LayerScale(tf.keras.layers.Layer):
    def __init__(self, init=1.0, eps=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.init = init
        self.eps = eps

    def build(self, input_shape):
        init = self.init
        with tf.init_scope():
            gamma_value = tf.convert_to_tensor(np.full(input_shape[-1:], init), dtype=tf.float32)
        self.gamma = self.add_weight(shape=gamma_value.shape, dtype=gamma_value.dtype, name="gamma", initializer=lambda shape, dtype=None: gamma_value)

    def call(self, x):
        eps = self.eps
        gamma = self.gamma
        return x * gamma + eps


def block(x, width):
    h = tf.keras.layers.Dense(width, activation="relu")(x)
    h = LayerScale(init=0.1)(h)
    return tf.keras.layers.Add()([x, h])


inputs = tf.keras.Input(shape=(8,))
h = block(inputs, 8)
h = block(h, 8)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(h))
model.compile(optimizer="adam", loss="mse")
x = np.random.rand(16, 8).astype("float32")
model.fit(x, x.sum(axis=1, keepdims=True), batch_size=8, epochs=1, verbose=0)
print(len(model.trainable_weights))
