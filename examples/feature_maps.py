"""Feature maps of a conv layer inside a nested backbone, requested from the outer model."""
import numpy as np
import keras

backbone = keras.Sequential(
    [keras.Input(shape=(32, 32, 3)), keras.layers.Conv2D(8, 3, name="block1_conv1"), keras.layers.Conv2D(8, 3, name="block1_conv2")],
    name="backbone",
)
images = keras.Input(shape=(32, 32, 3))
logits = keras.layers.Dense(10)(keras.layers.GlobalAveragePooling2D()(backbone(images)))
model = keras.Model(images, logits)

maps = keras.Model(model.inputs, model.get_layer("backbone").get_layer("block1_conv2").output)
print(maps.predict(np.zeros((1, 32, 32, 3)), verbose=0).shape)
