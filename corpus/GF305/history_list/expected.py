import tensorflow as tf
history = []

@tf.function
def step(x):
    y = x * 2.0
    return x + 1.0, y

out, y_value = step(tf.constant(1.0))
history.append(y_value)
print(out.numpy(), history[-1] + 1.0)
