# Saliency map of a tabular classifier: the gradient of the top class score w.r.t. the input.
import numpy as np
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model

features = Input(shape=(7,))
hidden = Dense(12, activation="relu")(features)
scores = Dense(3, activation="softmax")(hidden)
classifier = Model(features, scores)

rows = np.random.rand(4, 7).astype("float32")
top = int(np.argmax(classifier.predict(rows, verbose=0).sum(axis=0)))
input_gradients = K.gradients(classifier.output[:, top], classifier.input)
saliency = K.function([classifier.input, K.learning_phase()], input_gradients)
saliency_map = np.abs(saliency([rows, 0])[0])
print("most salient feature per row:", saliency_map.argmax(axis=1))
