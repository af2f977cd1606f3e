import numpy as np
import keras


def activations(model, layer_name, batch):
    fetch = keras.Model([model.input], [model.get_layer(layer_name).output])
    return [fetch.predict([batch], verbose=0)]


inp = keras.Input((5,))
out = keras.layers.Dense(2, name="logits")(keras.layers.Dense(4, name="embed")(inp))
net = keras.Model(inp, out)
(embedding,) = activations(net, "embed", np.zeros((3, 5)))
print(embedding.shape)
