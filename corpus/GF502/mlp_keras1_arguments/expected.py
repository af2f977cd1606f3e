import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Activation, Input

X = np.random.rand(40, 8)
Y = (X.sum(axis=1, keepdims=True) > 4).astype("float32")

model = Sequential()
model.add(Input((8,)))
model.add(Dense(units=12, kernel_initializer="uniform"))
model.add(Activation("relu"))
model.add(Dense(units=1, kernel_initializer="uniform"))
model.add(Activation("sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X, Y, epochs=3, batch_size=10, verbose=0)
scores = model.evaluate(X, Y, verbose=0)
print("%s: %.2f%%" % (model.metrics_names[1], scores[1] * 100))
