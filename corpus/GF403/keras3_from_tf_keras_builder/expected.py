import keras
from keras.layers import Dense, Dropout


def make_mlp(n_in=8, n_out=2):
    inputs = keras.Input((n_in,))
    x = Dense(16, activation="relu")(inputs)
    x = Dropout(0.1)(x)
    return keras.Model(inputs, Dense(n_out)(x))
