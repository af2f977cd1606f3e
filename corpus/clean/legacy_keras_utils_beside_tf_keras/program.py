import numpy as np
import tensorflow as tf
from keras.utils import to_categorical

labels = to_categorical(np.random.randint(0, 3, 24), 3)  # numpy in, numpy out: any Keras will do
net = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(3, activation="softmax")])
net.compile(optimizer="adam", loss="categorical_crossentropy")
net.fit(np.random.rand(24, 5), labels, epochs=1, verbose=0, callbacks=[tf.keras.callbacks.EarlyStopping(monitor="loss")])
