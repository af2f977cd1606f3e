import numpy as np
import tensorflow as tf
from tensorflow.keras import layers


def centre(x, scale=1.0):
    offset = tf.ones(x.shape[-1:]) * 0.5
    return (x - offset) * scale


inputs = tf.keras.Input(shape=(4,))
h = layers.Lambda(centre, arguments={"scale": 2.0})(inputs)
model = tf.keras.Model(inputs, layers.Dense(1)(h))
model.compile(optimizer="adam", loss="mse")
x = np.random.rand(16, 4).astype("float32")
model.fit(x, x.sum(axis=1, keepdims=True), batch_size=8, epochs=1, verbose=0)
print(model.predict(x[:2], verbose=0).shape)
