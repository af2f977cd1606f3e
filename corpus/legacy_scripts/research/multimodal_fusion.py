"""Late fusion of two views of a digit (Keras 1 merge API), with an auxiliary output."""
import numpy as np
from keras.models import Model
from keras.layers import Input, Dense, merge

from utils import load_mnist, log_history

(x_train, y_train), (x_test, y_test) = load_mnist()
left_train, right_train = x_train[:, :392], x_train[:, 392:]

left = Input(shape=(392,), name='left')
right = Input(shape=(392,), name='right')
h_left = Dense(32, activation='relu')(left)
h_right = Dense(32, activation='relu')(right)

fused = merge([h_left, h_right], mode='concat', concat_axis=-1)
summed = merge([h_left, h_right], mode='sum')
gated = merge([fused, merge([summed, summed], mode='concat')], mode='mul')

digit = Dense(10, activation='softmax', name='digit')(gated)
parity = Dense(1, activation='sigmoid', name='parity')(summed)

model = Model(input=[left, right], output=[digit, parity])
model.compile(optimizer='adam',
              loss=['categorical_crossentropy', 'binary_crossentropy'],
              metrics=('accuracy', 'accuracy'))
parity_train = (np.argmax(y_train, axis=1) % 2).reshape(-1, 1)
history = model.fit([left_train, right_train], [y_train, parity_train],
                    batch_size=64, nb_epoch=2, verbose=2)
log_history(history)
