import tensorflow as tf


def make_mlp():
    net = tf.keras.Sequential(name="mlp")
    net.add(tf.keras.layers.Dense(16, activation="relu", name="hidden"))
    net.add(tf.keras.layers.Dense(4, activation="softmax"))
    return net


def hidden_activations(model):
    return tf.keras.Model(inputs=model.input, outputs=model.get_layer("hidden").output)


mlp = make_mlp()
extractor = hidden_activations(mlp)
mlp.build((None, 10))
print(extractor.outputs[0].shape)
