"""A pruning layer that masks the weights of the dense layer it owns (functional, tf.keras)."""
import numpy as np
import tensorflow as tf


class MaskedDense(tf.keras.layers.Layer):
    def __init__(self, units, threshold=0.01):
        super().__init__()
        self.inner = tf.keras.layers.Dense(units, activation="tanh")
        self.threshold = threshold

    def call(self, x):
        if not self.inner.built:
            self.inner.build(x.shape)
        kernel = self.inner.kernel
        mask = tf.cast(tf.abs(kernel) > self.threshold, kernel.dtype)
        kernel = kernel * mask
        return self.inner.activation(tf.matmul(x, kernel) + self.inner.bias)


def build_model():
    inp = tf.keras.Input(shape=(5,))
    h = MaskedDense(6)(inp)
    return tf.keras.Model(inp, tf.keras.layers.Dense(2, activation="softmax")(h))


model = build_model()
model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
data = np.random.rand(24, 5).astype("float32")
model.fit(data, np.random.randint(0, 2, size=(24,)), batch_size=8, epochs=1, verbose=0)
print(model.evaluate(data, np.zeros((24,)), verbose=0))
