import numpy as np
import tensorflow as tf


def make_net():
    return tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(1)])


def fit_batch(net, opt, x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(net(x) - y))
    grads = tape.gradient(loss, net.trainable_variables)
    opt.apply_gradients(zip(grads, net.trainable_variables))
    return loss


x = np.random.rand(8, 3).astype("float32")
y = np.random.rand(8, 1).astype("float32")
for rate in (0.01, 0.001):
    fit_batch_traced = tf.function(fit_batch)
    net = make_net()
    opt = tf.keras.optimizers.Adam(rate)
    for _ in range(2):
        loss = fit_batch_traced(net, opt, x, y)
    print(rate, float(loss))
