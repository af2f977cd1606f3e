import numpy as np
import keras
from keras import backend as K
from keras.layers import Input, Dense, Subtract, Lambda
from keras.models import Model

MARGIN = 1.0


def contrastive_loss(y_true, y_pred):
    square_pred = K.square(y_pred)
    margin_square = K.square(K.maximum(MARGIN - y_pred, 0))
    return K.mean(y_true * square_pred + (1 - y_true) * margin_square)


def base_network(dim):
    inp = Input(shape=(dim,))
    return Model(inp, Dense(8, activation="relu")(inp))


base = base_network(10)
a, b = Input(shape=(10,)), Input(shape=(10,))
diff = Subtract()([base(a), base(b)])
distance = Lambda(lambda d: K.sum(K.abs(d), axis=1, keepdims=True))(diff)
model = Model([a, b], distance)
model.compile(loss=contrastive_loss, optimizer=keras.optimizers.RMSprop())
pairs = [np.random.rand(16, 10), np.random.rand(16, 10)]
model.fit(pairs, np.random.randint(0, 2, (16, 1)).astype("float32"), batch_size=8, epochs=1, verbose=0)
print(model.predict(pairs, verbose=0)[:3].ravel())
