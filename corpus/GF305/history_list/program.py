import tensorflow as tf
history = []

@tf.function
def step(x):
    y = x * 2.0
    history.append(y)
    return x + 1.0

out = step(tf.constant(1.0))
print(out.numpy(), history[-1] + 1.0)
