# A shared encoder applied to anchors and then to positives; the anchor encoder is cut from its
# first call, which `.output` names, and the positive branch reads its own tensor.
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

anchor_in = keras.Input((8,))
positive_in = keras.Input((8,))
encode = layers.Dense(4, activation="relu", name="encode")
anchor_code = encode(anchor_in)
positive_code = encode(positive_in)
distance = layers.Subtract()([anchor_code, positive_code])
pair_model = keras.Model([anchor_in, positive_in], layers.Dense(1)(distance))

anchor_encoder = keras.Model(anchor_in, encode.output)
positive_encoder = keras.Model(positive_in, positive_code)
x = np.random.rand(5, 8)
print(anchor_encoder.predict(x, verbose=0).shape, positive_encoder.predict(x, verbose=0).shape)
