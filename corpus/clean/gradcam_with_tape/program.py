# Grad-CAM written for TF2: a sub-model and a GradientTape, wrapped in an `iterate` helper.
import numpy as np
import tensorflow as tf

inputs = tf.keras.Input((12, 12, 1))
conv = tf.keras.layers.Conv2D(3, 3, activation="relu", name="last_conv")(inputs)
pooled = tf.keras.layers.GlobalAveragePooling2D()(conv)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(2, activation="softmax")(pooled))

grad_model = tf.keras.Model(model.inputs, [model.get_layer("last_conv").output, model.output])


def iterate(batch, class_index):
    with tf.GradientTape() as tape:
        conv_maps, predictions = grad_model(batch)
        score = predictions[:, class_index]
    grads = tape.gradient(score, conv_maps)
    return tf.reduce_mean(grads, axis=(0, 1, 2)).numpy(), conv_maps[0].numpy()


weights, maps = iterate(np.random.rand(1, 12, 12, 1).astype("float32"), 1)
print((maps * weights).sum(axis=-1).shape)
