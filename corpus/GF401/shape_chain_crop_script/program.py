import numpy as np
import tensorflow as tf
from tensorflow import keras

image = keras.Input((None, None, 3))
skip = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(image)
down = keras.layers.MaxPooling2D()(skip)
mid = keras.layers.Conv2D(8, 3, padding="valid", activation="relu")(down)
up = keras.layers.UpSampling2D()(mid)

# valid convolutions shrink the decoder path: centre-crop the skip connection to match
skip_hw = tf.shape(skip)[1:3]
up_hw = tf.shape(up)[1:3]
offset = (skip_hw - up_hw) // 2
skip_crop = tf.image.crop_to_bounding_box(skip, offset[0], offset[1], up_hw[0], up_hw[1])

merged = keras.layers.Concatenate()([up, skip_crop])
mask = keras.layers.Conv2D(1, 1, activation="sigmoid")(merged)
segmenter = keras.Model(image, mask)
print(segmenter.predict(np.zeros((1, 20, 20, 3)), verbose=0).shape)
