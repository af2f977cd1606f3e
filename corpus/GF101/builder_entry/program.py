import keras
from keras import layers


def make_denoiser(width=24, bottleneck=6):
    noisy = keras.Input((width,))
    enc = layers.Dense(12, activation="relu")(noisy)
    enc = layers.Dense(bottleneck, activation="relu")(enc)
    code_input = keras.Input((bottleneck,))
    dec = layers.Dense(12, activation="relu")(code_input)
    clean = layers.Dense(width)(dec)
    net = keras.Model(inputs=noisy, outputs=clean)
    net.compile(optimizer="sgd", loss="mae")
    return net
