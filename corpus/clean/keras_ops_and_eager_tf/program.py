import numpy as np
import tensorflow as tf
import keras
from keras import ops

data = tf.constant(np.random.rand(4, 6).astype("float32"))
centered = data - tf.reduce_mean(data, axis=0)  # tf ops on eager tensors are fine
x = keras.Input((6,))
y = ops.concatenate([x, ops.square(x)], axis=-1)
model = keras.Model(x, keras.layers.Dense(1)(y))
print(model(centered).shape)
