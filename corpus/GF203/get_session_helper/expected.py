import numpy as np
import keras


def layer_values(model, name, batch):
    return [keras.Model(model.inputs[0], [model.get_layer(name).output]).predict(batch, verbose=0)]


inp = keras.Input((6,))
model = keras.Model(inp, keras.layers.Dense(2, name="out")(keras.layers.Dense(4, name="mid")(inp)))
(mid,) = layer_values(model, "mid", np.zeros((2, 6)))
print(mid.shape)
