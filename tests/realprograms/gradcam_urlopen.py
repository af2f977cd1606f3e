"""Grad-CAM on an image read with urlopen."""
import io
import urllib.request

import keras
import numpy as np
import tensorflow as tf

with urllib.request.urlopen("https://images.example.org/african_elephant.jpg") as response:
    raw = response.read()
image = tf.image.resize(tf.io.decode_jpeg(raw, channels=3), (96, 96))
batch = np.expand_dims(image.numpy() / 255.0, 0)

inputs = keras.Input((96, 96, 3))
x = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
last_conv = keras.layers.Conv2D(16, 3, activation="relu", name="last_conv")(x)
x = keras.layers.GlobalAveragePooling2D()(last_conv)
outputs = keras.layers.Dense(5)(x)
model = keras.Model(inputs, outputs)

grad_model = keras.Model(model.inputs, [model.get_layer("last_conv").output, model.output])
with tf.GradientTape() as tape:
    conv_out, preds = grad_model(batch)
    top = tf.argmax(preds[0])
    score = preds[:, top]
grads = tape.gradient(score, conv_out)
weights = tf.reduce_mean(grads, axis=(0, 1, 2))
heatmap = tf.reduce_sum(conv_out[0] * weights, axis=-1)
heatmap = tf.maximum(heatmap, 0) / (tf.reduce_max(heatmap) + 1e-8)
print(io.StringIO(str(heatmap.shape)).read())
