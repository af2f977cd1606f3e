import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_eager_execution()


class LogisticModel(object):
    """Research-code style: the graph is built in the constructor, trained in a session."""

    def __init__(self, n_features, learning_rate=0.1):
        self.w = tf.Variable(tf.truncated_normal([n_features, 1], stddev=0.1))
        self.b = tf.Variable(tf.zeros([1]))
        self.x = tf.placeholder(tf.float32, [None, n_features])
        self.y = tf.placeholder(tf.float32, [None, 1])
        logits = tf.matmul(self.x, self.w) + self.b
        self.loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=self.y, logits=logits))
        self.train_op = tf.train.GradientDescentOptimizer(learning_rate).minimize(self.loss)

    def fit(self, sess, x, y, steps=10):
        for _ in range(steps):
            _, loss = sess.run([self.train_op, self.loss], feed_dict={self.x: x, self.y: y})
        return loss


model = LogisticModel(4)
data = np.random.rand(20, 4)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print("loss", model.fit(sess, data, (data[:, :1] > 0.5).astype(np.float32)))
