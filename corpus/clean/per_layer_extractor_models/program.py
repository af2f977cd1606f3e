# Per-layer activations read through one extractor model per layer (the TF2 way).
import numpy as np
import tensorflow as tf

inputs = tf.keras.Input((6,))
x = tf.keras.layers.Dense(4, activation="relu", name="first")(inputs)
outputs = tf.keras.layers.Dense(2, name="second")(x)
model = tf.keras.Model(inputs, outputs)

extractors = [tf.keras.Model(model.inputs, [layer.output]) for layer in model.layers[1:]]
batch = np.zeros((2, 6), dtype="float32")
for extractor in extractors:
    print(extractor.predict(batch, verbose=0).shape)
