import tensorflow as tf

counter = tf.Variable(0)


@tf.function
def tick():
    counter.assign_add(1)
    return counter.read_value()


tick()
counter = tf.Variable(10)  # a new variable, on purpose: reset the count
print(int(counter.numpy()))
