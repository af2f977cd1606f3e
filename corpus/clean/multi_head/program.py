import keras
from keras import layers


def build_two_heads():
    inp = layers.Input(shape=(12,))
    trunk = layers.Dense(8, activation="relu")(inp)
    aux = layers.Dense(2, name="aux")(trunk)  # read below, for the auxiliary model
    main = layers.Dense(1, name="main")(trunk)
    _ = layers.Dense(4)(trunk)  # deliberately discarded
    model = keras.Model(inp, [main, aux])
    aux_model = keras.Model(inp, aux)
    return model, aux_model


build_two_heads()
