import keras
from keras import layers


def pretrained_top(width=8):
    pooled = keras.Input((width,))
    squeeze = layers.Dense(4, activation="relu", name="squeeze")(pooled)
    logits = layers.Dense(2, name="logits")(squeeze)
    return keras.Model(pooled, logits, name="top")


def activation_report(steps=20, channels=3):
    """Every layer's activations of a sequence model whose top comes from another model."""
    series = keras.Input((steps, channels))
    h = layers.Conv1D(8, 3, activation="relu")(series)
    h = layers.GlobalMaxPooling1D()(h)
    top = pretrained_top()
    reapplied_outputs = {}  # each layer's latest output, by layer name
    for layer in top.layers:
        if not isinstance(layer, keras.layers.InputLayer):
            h = layer(h)
            reapplied_outputs[layer.name] = h
    network = keras.Model(series, h)
    return keras.Model(network.inputs, [reapplied_outputs.get(layer.name, layer.output) for layer in network.layers[1:]])
