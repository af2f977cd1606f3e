import numpy as np
import keras
from keras import backend


def build_encoder(width):
    source = keras.Input((8,), name="source")
    hidden = keras.layers.Dense(width, activation="tanh", name="hidden")(source)
    code = keras.layers.Dense(2, name="code")(hidden)
    return keras.Model(source, code)


def inspect_layers():
    encoder = build_encoder(5)
    taps = [backend.function(encoder.inputs + [backend.learning_phase()], [layer.output])
            for layer in encoder.layers[1:]]
    batch = np.ones((3, 8), dtype="float32")
    hidden_map = taps[0]([batch, 0.0])
    code_map = taps[-1]([batch, 0.0])
    assert hidden_map[0].shape == (3, 5) and code_map[0].shape == (3, 2)
    return encoder


if __name__ == "__main__":
    inspect_layers()
