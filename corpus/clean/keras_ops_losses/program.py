import numpy as np
import keras
from keras import backend as K
from keras import ops
from keras.layers import Input, Dense, Lambda


def wasserstein_loss(y_true, y_pred):
    return ops.mean(y_true * y_pred)


inp = Input((5,))
h = Lambda(lambda x: ops.maximum(x, K.epsilon()))(Dense(4)(inp))
model = keras.Model(inp, Dense(1)(h))
model.compile(loss=wasserstein_loss, optimizer=keras.optimizers.Adam(learning_rate=1e-3))
model.fit(np.random.rand(8, 5), np.ones((8, 1)), epochs=1, verbose=0)
print(K.image_data_format(), model.predict(np.random.rand(2, 5), verbose=0).shape)
