import numpy as np
from tensorflow import keras
from tensorflow.keras import callbacks


class LearningRateLog(callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.rates = []

    def on_epoch_begin(self, epoch, logs=None):
        self.rates.append(float(keras.backend.get_value(self.model.optimizer.learning_rate)))


def train(epochs=2):
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    net.compile(optimizer="adam", loss="mse")
    log = LearningRateLog()
    net.fit(np.random.rand(16, 3), np.random.rand(16, 1), epochs=epochs, verbose=0,
            callbacks=[log, callbacks.EarlyStopping(monitor="loss", patience=1)])
    return log.rates


print(train())
