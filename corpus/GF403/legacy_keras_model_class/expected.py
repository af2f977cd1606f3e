import numpy as np
import tensorflow as tf
from tf_keras.models import Model

pixels = tf.keras.Input(shape=(28, 28))
flat = tf.keras.layers.Flatten()(pixels)
digits = tf.keras.layers.Dense(10, activation="softmax")(flat)
classifier = Model(inputs=pixels, outputs=digits)
print(classifier.predict(np.zeros((1, 28, 28)), verbose=0).shape)
