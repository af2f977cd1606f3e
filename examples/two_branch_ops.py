"""Raw TensorFlow ops on Keras 3 symbolic tensors (works in Keras 2, fails in Keras 3)."""
import tensorflow as tf
import keras

left = keras.Input(shape=(8,))
right = keras.Input(shape=(8,))
joined = tf.concat([keras.layers.Dense(4)(left), keras.layers.Dense(4)(right)], axis=-1)
score = keras.layers.Dense(1)(tf.nn.relu(joined))
model = keras.Model([left, right], score)
