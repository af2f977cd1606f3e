"""Several tensors in one session run."""
import tensorflow as tf

from common import load_fixed_weights, sample_images, save_activations
from models import small_cnn

model = load_fixed_weights(small_cnn())
with tf.compat.v1.Session() as sess:
    fc1, probs = sess.run(
        [model.get_layer("fc1").output, model.output],
        feed_dict={model.input: sample_images()},
    )
save_activations("session_probe", probs)
print(fc1.shape, probs.shape)
