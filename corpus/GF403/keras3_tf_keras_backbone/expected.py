import numpy as np
import tensorflow as tf
import keras as tf_keras

image = tf.keras.Input((8, 8, 3))
conv = tf_keras.layers.Conv2D(4, 3, activation="relu")(image)
pooled = tf.keras.layers.GlobalAveragePooling2D()(conv)
model = tf.keras.Model(image, tf.keras.layers.Dense(2)(pooled))
print(model(np.zeros((1, 8, 8, 3), "float32")).shape)
