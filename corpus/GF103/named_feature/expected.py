import numpy as np
from keras import layers
from keras.models import Model

pixels = layers.Input(shape=(8, 8, 1))
t = layers.Conv2D(2, 3, name="edge")(pixels)
t = layers.Flatten()(t)
encoder = Model(pixels, t, name="encoder")

source = layers.Input(shape=(8, 8, 1))
logits = layers.Dense(4)(encoder(source))
full = Model(source, logits)

edges = full.get_layer("encoder").get_layer("edge").output
edge_model = Model(full.get_layer("encoder").input, edges)
print(edge_model.predict(np.ones((2, 8, 8, 1)), verbose=0).shape)
