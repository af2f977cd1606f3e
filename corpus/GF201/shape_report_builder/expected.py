from tensorflow import keras


def describe(model):
    rows = []
    for layer in model.layers[1:]:
        rows.append((layer.name, layer.input.shape, layer.output.shape))
    return rows


def build_and_describe():
    inputs = keras.Input((12, 12, 1))
    x = keras.layers.Conv2D(2, 3, name="conv")(inputs)
    x = keras.layers.Flatten(name="flat")(x)
    model = keras.Model(inputs, keras.layers.Dense(4, name="head")(x))
    for name, in_shape, out_shape in describe(model):
        assert in_shape[0] is None and out_shape[0] is None, name
    return model
