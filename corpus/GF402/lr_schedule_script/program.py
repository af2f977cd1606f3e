import numpy as np
import keras
from keras import backend as K

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
for epoch in range(2):
    model.fit(np.random.rand(8, 3), np.random.rand(8, 1), epochs=1, verbose=0)
    K.set_value(model.optimizer.learning_rate, 0.1 / (epoch + 2))
    print("lr", K.get_value(model.optimizer.learning_rate))
