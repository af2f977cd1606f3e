import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
learning_rate = tf.constant(0.1)


@tf.function
def sgd_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    for variable, grad in zip(model.trainable_variables, grads):
        variable.assign_sub(learning_rate * grad)
    return loss


x = np.random.rand(8, 2).astype("float32")
y = np.random.rand(8, 1).astype("float32")
for epoch in range(3):
    sgd_step(x, y)
    learning_rate = tf.constant(0.1 / (epoch + 2))  # decay
