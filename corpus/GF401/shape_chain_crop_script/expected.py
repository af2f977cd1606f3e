import numpy as np
import tensorflow as tf
from tensorflow import keras


def lambda_output_shape(function):
    """A Lambda's output shape, found by running its function on zeros: the unknown sizes of
    the inputs take two values in turn, and the output sizes that change stay unknown."""

    def output_shape(input_shape):
        single = all(d is None or isinstance(d, int) for d in input_shape)
        shapes = [input_shape] if single else list(input_shape)
        runs = []
        for size in (5, 7):
            zeros = [tf.zeros([size if d is None else d for d in shape]) for shape in shapes]
            runs.append(tuple(function(zeros[0] if single else zeros).shape))
        return tuple(a if a == b else None for a, b in zip(*runs))

    return output_shape


image = keras.Input((None, None, 3))
skip = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(image)
down = keras.layers.MaxPooling2D()(skip)
mid = keras.layers.Conv2D(8, 3, padding="valid", activation="relu")(down)
up = keras.layers.UpSampling2D()(mid)

# valid convolutions shrink the decoder path: centre-crop the skip connection to match
def compute_skip_crop(tensors):
    skip, up = tensors
    skip_hw = tf.shape(skip)[1:3]
    up_hw = tf.shape(up)[1:3]
    offset = (skip_hw - up_hw) // 2
    return tf.image.crop_to_bounding_box(skip, offset[0], offset[1], up_hw[0], up_hw[1])

skip_crop = keras.layers.Lambda(compute_skip_crop, output_shape=lambda_output_shape(compute_skip_crop))([skip, up])

merged = keras.layers.Concatenate()([up, skip_crop])
mask = keras.layers.Conv2D(1, 1, activation="sigmoid")(merged)
segmenter = keras.Model(image, mask)
print(segmenter.predict(np.zeros((1, 20, 20, 3)), verbose=0).shape)
