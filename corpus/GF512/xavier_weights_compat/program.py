import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()

x = tf.placeholder(tf.float32, [None, 5])
W = tf.get_variable("W", shape=[5, 3], initializer=tf.contrib.layers.xavier_initializer())
out = tf.matmul(x, W)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(out, feed_dict={x: np.ones((2, 5))}).shape)
