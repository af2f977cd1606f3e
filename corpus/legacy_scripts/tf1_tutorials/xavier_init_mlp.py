"""MLP with Xavier initialisation and L2 weight decay from tf.contrib."""
from __future__ import print_function

import numpy as np
import tensorflow as tf

np.random.seed(0)
data_x = np.random.rand(200, 20).astype(np.float32)
data_y = (data_x.sum(axis=1, keepdims=True) > 10).astype(np.float32)

x = tf.placeholder(tf.float32, shape=[None, 20], name="x")
y = tf.placeholder(tf.float32, shape=[None, 1], name="y")

initializer = tf.contrib.layers.xavier_initializer()
W1 = tf.get_variable("W1", shape=[20, 16], initializer=initializer)
b1 = tf.get_variable("b1", shape=[16], initializer=tf.zeros_initializer())
W2 = tf.get_variable("W2", shape=[16, 1], initializer=initializer)
b2 = tf.get_variable("b2", shape=[1], initializer=tf.zeros_initializer())

hidden = tf.nn.relu(tf.matmul(x, W1) + b1)
logits = tf.matmul(hidden, W2) + b2
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
loss += 1e-4 * (tf.nn.l2_loss(W1) + tf.nn.l2_loss(W2))
train_op = tf.train.AdamOptimizer(0.01).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(50):
        _, l = sess.run([train_op, loss], feed_dict={x: data_x, y: data_y})
        if step % 10 == 0:
            print("step", step, "loss", l)
