import numpy as np
import tensorflow as tf

threshold = tf.constant(0.5)


@tf.function
def binarize(probs, threshold):
    return tf.cast(probs > threshold, tf.int32)


probs = tf.constant(np.array([0.2, 0.55, 0.7], "float32"))
print(binarize(probs, threshold=threshold).numpy())
threshold = tf.constant(0.6)  # stricter now
stricter = binarize(probs, threshold=threshold).numpy()
print(stricter)
assert stricter.tolist() == [0, 0, 1], "the new threshold was ignored"
