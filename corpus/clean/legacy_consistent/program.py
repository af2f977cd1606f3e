import numpy as np
import tensorflow as tf
import tf_keras

x = tf.keras.Input((4,))
y = tf_keras.layers.Dense(2)(tf.keras.layers.Dense(3)(x))
model = tf_keras.Model(x, y)
print(model.predict(np.zeros((1, 4)), verbose=0).shape)
