'''
Save and Restore a model using TensorFlow.
'''
from __future__ import print_function

import os
import tempfile

from tensorflow.examples.tutorials.mnist import input_data
mnist = input_data.read_data_sets("/tmp/data/", one_hot=True)

import tensorflow as tf

learning_rate = 0.001
batch_size = 64
model_path = os.path.join(tempfile.mkdtemp(), "model.ckpt")

x = tf.placeholder("float", [None, 784])
y = tf.placeholder("float", [None, 10])

W1 = tf.Variable(tf.random_normal([784, 32]))
b1 = tf.Variable(tf.random_normal([32]))
W2 = tf.Variable(tf.random_normal([32, 10]))
b2 = tf.Variable(tf.random_normal([10]))

pred = tf.matmul(tf.nn.relu(tf.matmul(x, W1) + b1), W2) + b2
cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=pred, labels=y))
optimizer = tf.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)

init = tf.global_variables_initializer()

# 'Saver' op to save and restore all the variables
saver = tf.train.Saver()

print("Starting 1st session...")
with tf.Session() as sess:
    sess.run(init)
    for i in range(10):
        batch_x, batch_y = mnist.train.next_batch(batch_size)
        _, c = sess.run([optimizer, cost], feed_dict={x: batch_x, y: batch_y})
    save_path = saver.save(sess, model_path)
    print("Model saved in file: %s" % save_path)

print("Starting 2nd session...")
with tf.Session() as sess:
    sess.run(init)
    saver.restore(sess, model_path)
    print("Model restored from file: %s" % save_path)
    correct_prediction = tf.equal(tf.argmax(pred, 1), tf.argmax(y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_prediction, "float"))
    print("Accuracy:", accuracy.eval({x: mnist.test.images, y: mnist.test.labels}))
