import numpy as np
import tensorflow as tf
from tensorflow.keras import layers, Model


def gate(features, weights):
    """Scale every feature column by a per-sample weight vector."""
    return features * tf.expand_dims(weights, 1)


seq = layers.Input(shape=(5, 4))
summary = layers.GlobalAveragePooling1D()(seq)
w = layers.Dense(4, activation="sigmoid")(summary)
gated = layers.Lambda(lambda t: gate(t[0], weights=t[1]))([seq, w])
out = layers.Dense(1)(layers.Flatten()(gated))
model = Model(seq, out)
model.compile("adam", "mse")
model.fit(np.random.rand(8, 5, 4), np.random.rand(8, 1), verbose=0)
print(model.count_params())
