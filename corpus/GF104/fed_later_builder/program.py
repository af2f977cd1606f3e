"""House-price regressor; the penultimate activations are logged as learned features."""
import numpy as np
import keras
from keras import layers


def load_table(rows=48, columns=9, seed=0):
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(rows, columns)).astype("float32")
    prices = table @ rng.normal(size=(columns, 1)).astype("float32")
    return table, prices


def build_regressor(units=(16, 8)):
    net = keras.Sequential(name="regressor")
    for i, width in enumerate(units):
        net.add(layers.Dense(width, activation="relu", name=f"block{i}"))
    net.add(layers.Dense(1, name="price"))
    return net


def main():
    table, prices = load_table()
    regressor = build_regressor()
    feature_model = keras.Model(regressor.input, regressor.get_layer("block1").output)
    regressor.compile(optimizer="adam", loss="mse")
    regressor.fit(table, prices, epochs=2, batch_size=16, verbose=0)
    print("features:", feature_model.predict(table[:4], verbose=0).shape)


if __name__ == "__main__":
    main()
