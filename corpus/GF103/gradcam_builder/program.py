import numpy as np
import tensorflow as tf
import keras


def make_backbone():
    i = keras.Input(shape=(12, 12, 3))
    c = keras.layers.Conv2D(4, 3, name="first_conv")(i)
    c = keras.layers.Conv2D(6, 3, activation="relu", name="last_conv")(c)
    return keras.Model(i, c, name="backbone")


def gradcam_heatmap(img):
    backbone = make_backbone()
    image = keras.Input(shape=(12, 12, 3))
    h = backbone(image)
    h = keras.layers.GlobalAveragePooling2D(name="gap")(h)
    probs = keras.layers.Dense(3, activation="softmax", name="head")(h)
    classifier = keras.Model(image, probs)

    grad_model = keras.Model(
        classifier.inputs,
        [classifier.get_layer("backbone").get_layer("last_conv").output, classifier.output],
    )
    with tf.GradientTape() as tape:
        conv, preds = grad_model(img)
        score = preds[:, 0]
    grads = tape.gradient(score, conv)
    weights = tf.reduce_mean(grads, axis=(1, 2))
    return tf.reduce_sum(conv * weights[:, None, None, :], axis=-1)


print(gradcam_heatmap(np.random.rand(1, 12, 12, 3).astype("float32")).shape)
