import numpy as np


def read_data_sets(train_dir=None, one_hot=False, dtype=None, reshape=True, validation_size=5000, seed=None, **kwargs):
    """The TF1 tutorials' MNIST loader (`tensorflow.examples.tutorials.mnist.input_data`), which
    TensorFlow 2 no longer ships, over `keras.datasets.mnist`: train/validation/test splits with
    images scaled to [0, 1] (flattened unless reshape=False), labels (one-hot if asked),
    num_examples and next_batch."""
    import collections

    import numpy
    from keras.datasets import mnist

    class DataSet:
        def __init__(self, images, labels):
            images = images.reshape(len(images), -1) if reshape else images.reshape(len(images), 28, 28, 1)
            self.images = images.astype("float32") / 255.0
            self.labels = numpy.eye(10, dtype="float32")[labels] if one_hot else labels.astype("uint8")
            self.num_examples = len(images)
            self.epochs_completed = 0
            self._index = 0
            self._random = numpy.random.RandomState(seed)
            self._order = numpy.arange(self.num_examples)

        def next_batch(self, batch_size, fake_data=False, shuffle=True):
            if self._index == 0 and self.epochs_completed == 0 and shuffle:
                self._random.shuffle(self._order)
            if self._index + batch_size <= self.num_examples:
                rows = self._order[self._index:self._index + batch_size]
                self._index += batch_size
                return self.images[rows], self.labels[rows]
            rest = self._order[self._index:].copy()
            self.epochs_completed += 1
            if shuffle:
                self._random.shuffle(self._order)
            self._index = batch_size - len(rest)
            rows = numpy.concatenate([rest, self._order[:self._index]])
            return self.images[rows], self.labels[rows]

    (train_images, train_labels), (test_images, test_labels) = mnist.load_data()
    validation_size = min(validation_size, len(train_images) // 2)
    Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])
    return Datasets(
        train=DataSet(train_images[validation_size:], train_labels[validation_size:]),
        validation=DataSet(train_images[:validation_size], train_labels[:validation_size]),
        test=DataSet(test_images, test_labels),
    )


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
