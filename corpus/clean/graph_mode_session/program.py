import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()  # a TF1 program that knows what it does

x = tf.compat.v1.placeholder(tf.float32, shape=(None, 3))
y = tf.reduce_sum(x * 2.0, axis=1)
with tf.compat.v1.Session() as sess:
    print(sess.run(y, feed_dict={x: np.ones((2, 3))}))
