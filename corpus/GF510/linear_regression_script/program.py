import numpy as np
import tensorflow as tf

train_x = np.linspace(0, 1, 20).astype(np.float32)
train_y = 2 * train_x + 1

X = tf.placeholder(tf.float32)
Y = tf.placeholder(tf.float32)
W = tf.Variable(np.random.randn(), name="weight", dtype=tf.float32)
b = tf.Variable(np.random.randn(), name="bias", dtype=tf.float32)
pred = tf.add(tf.multiply(X, W), b)
cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / 40
train_op = tf.train.GradientDescentOptimizer(0.1).minimize(cost)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(20):
        sess.run(train_op, feed_dict={X: train_x, Y: train_y})
    print("cost", sess.run(cost, feed_dict={X: train_x, Y: train_y}))
