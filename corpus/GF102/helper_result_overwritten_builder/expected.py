import keras
from keras import layers


def res_unit(x, filters):
    y = layers.Conv1D(filters, 3, padding="same", activation="relu")(x)
    y = layers.Conv1D(filters, 3, padding="same")(y)
    return layers.Activation("relu")(layers.Add()([x, y]))


def build(length=32, channels=2, classes=3):
    signal = keras.Input((length, channels))
    stem = layers.Conv1D(8, 5, padding="same")(signal)
    body = res_unit(stem, 8)
    body = res_unit(body, 8)
    pooled = layers.GlobalAveragePooling1D()(body)
    return keras.Model(signal, layers.Dense(classes, activation="softmax")(pooled))
