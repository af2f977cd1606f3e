import tensorflow as tf
last = None

@tf.function
def step(x):
    global last
    y = x * 2.0
    last = y
    return x + 1.0

out = step(tf.constant(1.0))
print(last + 1.0)
