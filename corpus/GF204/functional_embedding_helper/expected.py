"""A siamese-style embedding taken from a trained classifier by popping its softmax."""
import numpy as np
import tensorflow as tf


def train_classifier(n_classes):
    inp = tf.keras.Input(shape=(12,), name="features")
    h = tf.keras.layers.Dense(24, activation="relu")(inp)
    h = tf.keras.layers.Dense(6, activation="tanh", name="embedding")(h)
    out = tf.keras.layers.Dense(n_classes, activation="softmax")(h)
    clf = tf.keras.Model(inp, out)
    clf.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    clf.fit(np.random.rand(40, 12), np.random.randint(0, n_classes, 40), epochs=1, verbose=0)
    return clf


def embedding_model(clf):
    # drop the classification head, keep the embedding
    return tf.keras.Model(inputs=clf.input, outputs=clf.layers[-2].output)


classifier = train_classifier(4)
embedder = embedding_model(classifier)
vectors = embedder.predict(np.random.rand(10, 12), verbose=0)
print(vectors.shape)
