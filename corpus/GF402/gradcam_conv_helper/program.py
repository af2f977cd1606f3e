"""Class-activation heat map of a tiny digit CNN (Grad-CAM), written against the Keras 2 backend."""
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K


def build_cnn():
    image = tf.keras.Input(shape=(12, 12, 1))
    x = tf.keras.layers.Conv2D(6, 3, activation="relu", name="last_conv")(image)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    probs = tf.keras.layers.Dense(4, activation="softmax")(x)
    return tf.keras.Model(image, probs)


def heat_map(model, picture, class_index):
    conv = model.get_layer("last_conv")
    class_score = model.output[:, class_index]
    grads = K.gradients(class_score, conv.output)[0]
    pooled = K.mean(grads, axis=(0, 1, 2))
    iterate = K.function([model.input], [pooled, conv.output[0]])
    weights, maps = iterate([picture[None]])
    cam = np.maximum((maps * weights).sum(axis=-1), 0)
    return cam / (cam.max() + 1e-8)


cnn = build_cnn()
cnn.compile("adam", "sparse_categorical_crossentropy")
digits = np.random.rand(16, 12, 12, 1).astype("float32")
cnn.fit(digits, np.random.randint(0, 4, 16), epochs=1, verbose=0)
print(heat_map(cnn, digits[0], 2).shape)
