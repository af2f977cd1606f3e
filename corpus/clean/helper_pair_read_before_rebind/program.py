# A pair of branches computed twice from the same features on purpose: the first pass feeds
# an auxiliary head before the names are reused for the main pass.
import keras
from keras import layers


def split_heads(features, width):
    left = layers.Dense(width, activation="relu")(features)
    right = layers.Dense(width, activation="relu")(features)
    return left, right


def build(dim=16):
    inp = keras.Input((dim,))
    features = layers.Dense(12, activation="relu")(inp)
    left, right = split_heads(features, 4)
    aux = layers.Dense(1, name="aux")(layers.Concatenate()([left, right]))
    left, right = split_heads(features, 6)
    main = layers.Dense(1, name="main")(layers.Multiply()([left, right]))
    encoded, _ = split_heads(features, 3)
    code = layers.Dense(2, name="code")(encoded)
    return keras.Model(inp, [main, aux, code])
