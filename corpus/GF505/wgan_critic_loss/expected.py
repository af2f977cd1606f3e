import numpy as np
from keras.layers import Input, Dense, LeakyReLU
from keras.models import Sequential
from keras.optimizers import RMSprop
import keras


def wasserstein_loss(y_true, y_pred):
    return keras.ops.mean(y_true * y_pred)


critic = Sequential([Input((6,)), Dense(16), LeakyReLU(0.2), Dense(1)])
critic.compile(loss=wasserstein_loss, optimizer=RMSprop(learning_rate=0.00005))
for _ in range(2):
    real = np.random.rand(8, 6)
    loss = critic.train_on_batch(real, -np.ones((8, 1)))
    for layer in critic.layers:
        layer.set_weights([np.clip(w, -0.01, 0.01) for w in layer.get_weights()])
print("critic loss", loss)
