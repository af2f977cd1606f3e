import keras
import numpy as np
import tensorflow as tf


_smoothed_average = None  # created once, on the first call of `smoothed`


def smoothed(values, momentum=0.9):
    """Exponential moving average of the batch mean of `values`."""
    global _smoothed_average
    if _smoothed_average is None:
        _smoothed_average = tf.Variable(tf.zeros(values.shape[1:]), trainable=False)
    average = _smoothed_average
    average.assign(momentum * average + (1.0 - momentum) * tf.reduce_mean(values, axis=0))
    return average


model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
optimizer = keras.optimizers.Adam(0.01)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = model(x)
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return smoothed(pred)


x = np.random.rand(8, 4).astype("float32")
y = np.random.rand(8, 2).astype("float32")
for step in range(3):
    print(train_step(x, y).numpy())
