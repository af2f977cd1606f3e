import tensorflow as tf
last = None

@tf.function
def step(x):
    y = x * 2.0
    return x + 1.0, y

out, y_value = step(tf.constant(1.0))
last = y_value
print(last + 1.0)
