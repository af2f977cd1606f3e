import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Dropout, Input


def iterate(x, y, size=10):
    while True:
        for start in range(0, len(x), size):
            yield x[start:start + size], y[start:start + size]


x_train = np.random.rand(50, 4)
y_train = (x_train[:, 0] > 0.5).astype("float32")
clf = Sequential([Input((4,)), Dense(16, activation="relu"), Dropout(0.1), Dense(1, activation="sigmoid")])
clf.compile(loss="binary_crossentropy", optimizer="rmsprop")
clf.fit(iterate(x_train, y_train), steps_per_epoch=5, epochs=2, verbose=0)
proba = clf.predict(x_train[:5])
print(np.round(proba, 3))
