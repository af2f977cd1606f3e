import numpy as np
import keras

backbone = keras.Sequential(
    [keras.Input(shape=(10, 10, 1)), keras.layers.Conv2D(3, 3, name="c1"), keras.layers.Conv2D(3, 3, name="c2")],
    name="backbone",
)
inputs = keras.Input(shape=(10, 10, 1))
outputs = keras.layers.Dense(2)(keras.layers.Flatten()(backbone(inputs)))
model = keras.Model(inputs, outputs)

extractor = keras.Model(backbone.inputs, backbone.get_layer("c1").output)
print(extractor.predict(np.zeros((1, 10, 10, 1)), verbose=0).shape)
