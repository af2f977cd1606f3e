"""Baseline MLP on MNIST (Keras 1 style API)."""
from keras.models import Sequential
from keras.layers.core import Dense, Dropout, Activation
from keras.optimizers import SGD

from utils import load_mnist, batch_generator, log_history

(x_train, y_train), (x_test, y_test) = load_mnist()

model = Sequential()
model.add(Dense(output_dim=64, input_dim=784, init='glorot_uniform'))
model.add(Activation('relu'))
model.add(Dropout(0.2))
model.add(Dense(output_dim=10, init='glorot_uniform'))
model.add(Activation('softmax'))

sgd = SGD(lr=0.05, decay=1e-6, momentum=0.9, nesterov=True)
model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])

history = model.fit_generator(batch_generator(x_train, y_train, 32),
                              samples_per_epoch=128, nb_epoch=2,
                              validation_data=(x_test, y_test), workers=1)
log_history(history)
score = model.evaluate(x_test, y_test, verbose=0)
print('Test score:', score[0])
print('Test accuracy:', score[1])
