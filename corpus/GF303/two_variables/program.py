import numpy as np
import tensorflow as tf
import keras

inputs = keras.Input((4,))
model = keras.Model(inputs, keras.layers.Dense(2)(inputs))


@tf.function
def running_stats(batch):
    total = tf.Variable(tf.zeros((2,)))
    count = tf.Variable(0.0)
    total.assign_add(tf.reduce_sum(model(batch), axis=0))
    count.assign_add(tf.cast(tf.shape(batch)[0], tf.float32))
    return total / count


for _ in range(2):
    print(running_stats(np.ones((3, 4), "float32")).numpy())
