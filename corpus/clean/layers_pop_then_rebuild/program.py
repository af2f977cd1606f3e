import keras

net = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, name="a"), keras.layers.Dense(2, name="b")])
kept = net.layers
kept.pop()
features = net.layers[-2].output
head = keras.Model(net.inputs, keras.layers.Dense(1)(features))
assert len(kept) == 1 and head.layers[-2].name == "a"
