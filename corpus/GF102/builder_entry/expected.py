import keras
from keras.layers import Dense, Input


def build(dim=20, code=4):
    image = Input(shape=(dim,))
    hidden = Dense(10, activation="relu")(image)
    bottleneck = Dense(code, activation="relu")(hidden)
    recon = Dense(dim, activation="sigmoid")(bottleneck)  # decoder
    return keras.Model(image, recon)
