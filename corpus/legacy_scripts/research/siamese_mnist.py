'''Trains a Siamese MLP on pairs of digits from the MNIST dataset.'''
from __future__ import absolute_import
from __future__ import print_function
import numpy as np
import random

from keras.models import Model
from keras.layers import Input, Flatten, Dense, Dropout, Lambda
from keras.optimizers import RMSprop
from keras import backend as K

from utils import load_mnist


def euclidean_distance(vects):
    x, y = vects
    sum_square = K.sum(K.square(x - y), axis=1, keepdims=True)
    return K.sqrt(K.maximum(sum_square, K.epsilon()))


def eucl_dist_output_shape(shapes):
    shape1, shape2 = shapes
    return (shape1[0], 1)


def contrastive_loss(y_true, y_pred):
    margin = 1
    square_pred = K.square(y_pred)
    margin_square = K.square(K.maximum(margin - y_pred, 0))
    return K.mean(y_true * square_pred + (1 - y_true) * margin_square)


def create_pairs(x, labels):
    pairs, targets = [], []
    for i in range(len(x) - 1):
        pairs += [[x[i], x[i + 1]]]
        targets += [float(labels[i] == labels[i + 1])]
    return np.array(pairs), np.array(targets)


def create_base_network(input_shape):
    input = Input(shape=input_shape)
    x = Flatten()(input)
    x = Dense(32, activation='relu')(x)
    x = Dropout(0.1)(x)
    x = Dense(32, activation='relu')(x)
    return Model(input, x)


def compute_accuracy(y_true, y_pred):
    pred = y_pred.ravel() < 0.5
    return np.mean(pred == y_true)


def accuracy(y_true, y_pred):
    return K.mean(K.equal(y_true, K.cast(y_pred < 0.5, y_true.dtype)))


(x_train, y_train), (x_test, y_test) = load_mnist(flatten=False)
input_shape = x_train.shape[1:]
tr_pairs, tr_y = create_pairs(x_train, np.argmax(y_train, axis=1))
te_pairs, te_y = create_pairs(x_test, np.argmax(y_test, axis=1))

base_network = create_base_network(input_shape)
input_a = Input(shape=input_shape)
input_b = Input(shape=input_shape)
processed_a = base_network(input_a)
processed_b = base_network(input_b)

distance = Lambda(euclidean_distance,
                  output_shape=eucl_dist_output_shape)([processed_a, processed_b])

model = Model([input_a, input_b], distance)

rms = RMSprop(lr=0.001)
model.compile(loss=contrastive_loss, optimizer=rms, metrics=[accuracy])
model.fit([tr_pairs[:, 0], tr_pairs[:, 1]], tr_y,
          batch_size=64,
          epochs=2,
          validation_data=([te_pairs[:, 0], te_pairs[:, 1]], te_y))

y_pred = model.predict([tr_pairs[:, 0], tr_pairs[:, 1]])
print('* Accuracy on training set: %0.2f%%' % (100 * compute_accuracy(tr_y, y_pred)))
