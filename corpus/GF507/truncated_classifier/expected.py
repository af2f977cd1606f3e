import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(16,))
x = layers.Dense(12, activation='relu', name='fc1')(inputs)
x = layers.Dense(8, activation='relu', name='fc2')(x)
outputs = layers.Dense(3, activation='softmax', name='predictions')(x)
classifier = keras.Model(inputs, outputs)
classifier.compile(optimizer='adam', loss='categorical_crossentropy')

# reuse the trained network as an embedding
classifier = keras.Model(classifier.inputs, classifier.get_layer('fc2').output)
embeddings = classifier.predict(np.random.rand(5, 16), verbose=0)
print(embeddings.shape)
