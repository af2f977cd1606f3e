"""Leaf-disease classifier: the labelled photos are shared as a zip on Google Drive."""
import os
import tempfile
import zipfile

import gdown
import keras

CACHE = os.path.join(tempfile.mkdtemp(), "leaf_photos")
archive_path = gdown.download("https://drive.google.com/uc?id=1LeafPhotosExample", CACHE + ".zip", quiet=False)
with zipfile.ZipFile(archive_path) as archive:
    archive.extractall(CACHE)

train = keras.utils.image_dataset_from_directory(
    CACHE, image_size=(32, 32), batch_size=8, validation_split=0.2, subset="training", seed=1
)
classes = len(train.class_names)

inputs = keras.Input((32, 32, 3))
x = keras.layers.Rescaling(1.0 / 255)(inputs)
x = keras.layers.Conv2D(8, 3, activation="relu")(x)
x = keras.layers.MaxPooling2D()(x)
x = keras.layers.Conv2D(16, 3, activation="relu")(x)
x = keras.layers.GlobalAveragePooling2D()(x)
outputs = keras.layers.Dense(classes, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(train, epochs=15)
print("classes:", train.class_names)
