import numpy as np
import tensorflow as tf
tf.compat.v1.disable_eager_execution()

images = tf.compat.v1.placeholder(tf.float32, [None, 8, 8, 1])
kernel = tf.compat.v1.get_variable("kernel", [3, 3, 1, 4], initializer=tf.contrib.layers.xavier_initializer_conv2d())
features = tf.nn.relu(tf.nn.conv2d(images, kernel, strides=[1, 1, 1, 1], padding="SAME"))
with tf.compat.v1.Session() as sess:
    sess.run(tf.compat.v1.global_variables_initializer())
    print(sess.run(features, feed_dict={images: np.random.rand(2, 8, 8, 1)}).shape)
