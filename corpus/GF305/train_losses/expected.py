import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
optimizer = keras.optimizers.Adam(0.01)
losses = []


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return tf.linalg.global_norm(grads), loss


x = np.random.rand(16, 3).astype("float32")
y = np.random.rand(16, 1).astype("float32")
for epoch in range(3):
    grad_norm, loss_value = train_step(x, y)
    losses.append(loss_value)
print("final loss", float(losses[-1]), "grad norm", float(grad_norm))
