# Keras tutorial, part 3: a small MLP classifier on digits
import numpy as np
from keras import Input
from keras import Model
from keras.layers import Dense, Dropout
from keras.utils import to_categorical
from keras.optimizers import RMSprop as rmsprop

num_classes = 10
x_train = np.random.rand(64, 20).astype("float32")
y_train = to_categorical(np.random.randint(0, num_classes, 64), num_classes)

inputs = Input(shape=(20,))
hidden = Dense(32, activation="relu")(inputs)
hidden = Dropout(0.2)(hidden)
outputs = Dense(num_classes, activation="softmax")(hidden)
model = Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=rmsprop(), loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0)
print("accuracy", history.history["accuracy"][-1])
