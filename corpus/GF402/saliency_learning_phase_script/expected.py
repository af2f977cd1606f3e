# Saliency map of a tabular classifier: the gradient of the top class score w.r.t. the input.
import numpy as np
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model
import tensorflow as tf

features = Input(shape=(7,))
hidden = Dense(12, activation="relu")(features)
scores = Dense(3, activation="softmax")(hidden)
classifier = Model(features, scores)

rows = np.random.rand(4, 7).astype("float32")
top = int(np.argmax(classifier.predict(rows, verbose=0).sum(axis=0)))
saliency_model = Model([classifier.input], classifier.output)


def saliency(values):
    feeds = [tf.convert_to_tensor(value) for value in values[:1]]
    with tf.GradientTape() as tape:
        tape.watch(feeds)
        classifier_output = saliency_model(feeds[0])
        tape.watch([classifier_output])
        target = classifier_output[:, top]
    input_gradients = [tape.gradient(target, feeds[0])]
    return tf.nest.map_structure(lambda t: t.numpy(), input_gradients)


saliency_map = np.abs(saliency([rows, 0])[0])
print("most salient feature per row:", saliency_map.argmax(axis=1))
