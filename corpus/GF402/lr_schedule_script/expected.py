import numpy as np
import keras

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
for epoch in range(2):
    model.fit(np.random.rand(8, 3), np.random.rand(8, 1), epochs=1, verbose=0)
    model.optimizer.learning_rate.assign(0.1 / (epoch + 2))
    print("lr", keras.ops.convert_to_numpy(model.optimizer.learning_rate))
