"""Sequence regressor whose width follows the data (helpers module style)."""
import numpy as np
from keras.layers import Input, LSTM, Dense
from keras.models import Model


def hidden_size(features, factor=2):
    return np.int64(features) * factor


def build(timesteps, features):
    seq = Input(shape=(timesteps, features))
    h = LSTM(hidden_size(features))(seq)
    return Model(seq, Dense(1)(h))


model = build(5, 3)
model.compile(optimizer="adam", loss="mse")
print(model.predict(np.random.rand(2, 5, 3), verbose=0).shape)
