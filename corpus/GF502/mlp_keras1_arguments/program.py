import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Activation, Input

X = np.random.rand(40, 8)
Y = (X.sum(axis=1, keepdims=True) > 4).astype("float32")

model = Sequential()
model.add(Input((8,)))
model.add(Dense(output_dim=12, init="uniform"))
model.add(Activation("relu"))
model.add(Dense(output_dim=1, init="uniform"))
model.add(Activation("sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X, Y, nb_epoch=3, batch_size=10, verbose=0)
scores = model.evaluate(X, Y, verbose=0)
print("%s: %.2f%%" % (model.metrics_names[1], scores[1] * 100))
