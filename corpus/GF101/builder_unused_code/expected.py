import keras
from keras import layers


def build_autoencoder(n_features=16, latent_dim=8):
    x = keras.Input(shape=(n_features,), name="features")
    hidden = layers.Dense(latent_dim, activation="relu")(x)
    code = layers.Dense(latent_dim, activation="relu", name="code")(hidden)

    up = layers.Dense(n_features, activation="relu")(code)
    reconstruction = layers.Dense(n_features, activation="sigmoid")(up)

    model = keras.Model(x, reconstruction, name="autoencoder")
    model.compile(optimizer="adam", loss="mse")
    return model
