import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Dropout

def get_model():
    m = Sequential()
    m.add(Dense(32, activation="relu"))
    m.add(Dropout(0.2))
    m.add(Dense(10, activation="softmax"))
    m.compile(loss="categorical_crossentropy", optimizer="adam")
    return m

model = get_model()
X = np.random.rand(20, 12); Y = np.eye(10)[np.random.randint(0, 10, 20)]
model.fit(X, Y, epochs=2, verbose=0)
from keras.models import Model
intermediate = Model(inputs=model.input, outputs=model.layers[0].output)
print(intermediate.predict(X[:2]).shape)
