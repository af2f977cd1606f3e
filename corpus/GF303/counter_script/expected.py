import tensorflow as tf


factor = tf.Variable(0.5, trainable=False)
@tf.function
def scaled(x):
    return x * factor


for value in (1.0, 2.0, 3.0):
    print(float(scaled(tf.constant(value))))
