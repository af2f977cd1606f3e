import numpy as np
from keras.models import Sequential
from keras.layers import Input, Conv2D, Activation
from keras_contrib.layers import InstanceNormalization

transformer = Sequential([
    Input((16, 16, 3)),
    Conv2D(8, 3, padding='same'),
    InstanceNormalization(axis=-1),
    Activation('relu'),
    Conv2D(3, 3, padding='same'),
    InstanceNormalization(axis=-1, center=False),
])
transformer.compile('adam', 'mse')
print(transformer.predict(np.random.rand(1, 16, 16, 3), verbose=0).shape)
