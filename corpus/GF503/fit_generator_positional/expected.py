import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Input


def batch_generator(x, y, batch_size):
    while True:
        idx = np.random.randint(0, len(x), batch_size)
        yield x[idx], y[idx]


x = np.random.rand(100, 5)
y = x @ np.random.rand(5, 1)
model = Sequential([Input((5,)), Dense(8, activation="relu"), Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(batch_generator(x, y, 16), steps_per_epoch=4, epochs=2, verbose=0)
print("trained")
