import tensorflow as tf


@tf.function
def scaled(x):
    factor = tf.Variable(0.5, trainable=False)
    return x * factor


for value in (1.0, 2.0, 3.0):
    print(float(scaled(tf.constant(value))))
