import numpy as np
from keras.models import Model
from keras.layers import Input, Dense

METRICS = ['accuracy']


def multitask(n_features):
    x = Input(shape=(n_features,))
    h = Dense(8, activation='relu')(x)
    return Model(x, [Dense(1, activation='sigmoid', name='spam')(h), Dense(3, activation='softmax', name='topic')(h)])


net = multitask(6)
net.compile(optimizer='rmsprop', loss=['binary_crossentropy', 'categorical_crossentropy'], metrics=METRICS)
data = np.random.rand(16, 6)
print(net.evaluate(data, [np.random.randint(0, 2, (16, 1)), np.eye(3)[np.random.randint(0, 3, 16)]], verbose=0))
