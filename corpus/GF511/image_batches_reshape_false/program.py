import numpy as np
from tensorflow.examples.tutorials.mnist.input_data import read_data_sets
from keras import layers, models

data = read_data_sets("/tmp/mnist", reshape=False)
print(data.train.images.shape, data.train.num_examples, data.validation.num_examples)

cnn = models.Sequential([
    layers.Input((28, 28, 1)),
    layers.Conv2D(4, 3, activation='relu'),
    layers.GlobalAveragePooling2D(),
    layers.Dense(10, activation='softmax'),
])
cnn.compile('adam', 'sparse_categorical_crossentropy')
images, labels = data.train.next_batch(16)
cnn.train_on_batch(images, labels)
print(np.argmax(cnn.predict(data.test.images[:4], verbose=0), axis=1))
