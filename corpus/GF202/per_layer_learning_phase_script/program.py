# Print the mean activation of every layer of a small classifier, in test mode.
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K

net = tf.keras.Sequential([
    tf.keras.Input(shape=(10,)),
    tf.keras.layers.Dense(16, activation="relu"),
    tf.keras.layers.Dropout(0.5),
    tf.keras.layers.Dense(3, activation="softmax"),
])
net.compile("sgd", "categorical_crossentropy")

samples = np.random.rand(4, 10).astype("float32")
layer_functions = [K.function([net.inputs[0], K.learning_phase()], [layer.output]) for layer in net.layers]
for layer, get_output in zip(net.layers, layer_functions):
    activation = get_output([samples, 0])[0]
    print(layer.name, activation.shape, float(activation.mean()))
