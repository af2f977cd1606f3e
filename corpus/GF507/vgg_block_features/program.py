import numpy as np
from keras.applications import VGG16
from keras.layers import Input
from keras.models import Model

vgg = VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
vgg.outputs = [vgg.layers[6].output]

image = Input(shape=(32, 32, 3))
features = Model(image, vgg(image))
print(features.predict(np.random.rand(2, 32, 32, 3), verbose=0).shape)
