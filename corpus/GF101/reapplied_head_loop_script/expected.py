# A small head was trained on cached sentence features; it is now put on top of the encoder
# layer by layer, and each head layer's activations are inspected in the end-to-end model.
import numpy as np
import tensorflow as tf

features = tf.keras.Input((16,))
hidden = tf.keras.layers.Dense(8, activation="relu", name="hidden")(features)
scores = tf.keras.layers.Dense(3, activation="softmax", name="scores")(hidden)
head = tf.keras.Model(features, scores)
head.compile("adam", "sparse_categorical_crossentropy")
head.fit(np.random.rand(32, 16), np.random.randint(0, 3, 32), epochs=1, verbose=0)

tokens = tf.keras.Input((10,), dtype="int32")
embedded = tf.keras.layers.Embedding(50, 16)(tokens)
encoded = tf.keras.layers.GlobalAveragePooling1D()(embedded)

h = encoded
reapplied_outputs = {}  # each layer's latest output, by layer name
for block in head.layers[1:]:
    h = block(h)
    reapplied_outputs[block.name] = h
classifier = tf.keras.Model(tokens, h)

batch = np.random.randint(0, 50, (4, 10))
for name in ("hidden", "scores"):
    activations = tf.keras.Model(classifier.input, reapplied_outputs.get(classifier.get_layer(name).name, classifier.get_layer(name).output))
    print(name, activations.predict(batch, verbose=0).shape)
