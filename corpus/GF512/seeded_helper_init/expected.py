import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()


def weight(name, shape):
    return tf.get_variable(name, shape, initializer=tf.glorot_uniform_initializer(seed=42))


x = tf.placeholder(tf.float32, [None, 4])
hidden = tf.nn.tanh(tf.matmul(x, weight("w1", [4, 6])))
logits = tf.matmul(hidden, weight("w2", [6, 2]))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(tf.nn.softmax(logits), feed_dict={x: np.random.rand(3, 4)}).sum(axis=1))
