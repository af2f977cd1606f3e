import numpy as np
import tf_keras as keras

classifier = keras.models.Sequential(
    [
        keras.layers.Dense(5, activation="tanh", name="proj"),  # projection we want to inspect
        keras.layers.Dense(2, activation="softmax"),
    ]
)
classifier.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
projection = keras.models.Model(classifier.inputs, classifier.get_layer("proj").output)
classifier.build(input_shape=(None, 6))
print(projection.predict(np.zeros((3, 6)), verbose=0).shape)
