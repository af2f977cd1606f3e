"""Fine-tune a small classifier with SGD and step decay (research helper, 2018)."""
import numpy as np
from keras import optimizers
from keras.layers import Dense, Input
from keras.models import Model


def make_classifier(n_features, n_classes):
    inp = Input(shape=(n_features,))
    out = Dense(n_classes, activation="softmax")(Dense(24, activation="relu")(inp))
    return Model(inp, out)


def train(model, x, y, epochs):
    sgd = optimizers.SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(optimizer=sgd, loss="sparse_categorical_crossentropy")
    return model.fit(x, y, epochs=epochs, batch_size=8, verbose=0, workers=4, use_multiprocessing=True)


clf = make_classifier(6, 3)
history = train(clf, np.random.rand(32, 6), np.random.randint(0, 3, 32), epochs=2)
print("loss", history.history["loss"])
