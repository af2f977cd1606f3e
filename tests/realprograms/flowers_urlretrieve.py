"""Image classification from an archive of class folders fetched with urllib."""
import os
import tarfile
import tempfile
import urllib.request

import keras

archive, _ = urllib.request.urlretrieve("https://storage.example.org/data/flower_photos.tgz")
data_dir = tempfile.mkdtemp()
with tarfile.open(archive) as tar:
    tar.extractall(data_dir)
class_names = sorted(os.listdir(data_dir))

train_ds = keras.utils.image_dataset_from_directory(data_dir, image_size=(64, 64), batch_size=8)
model = keras.Sequential([
    keras.Input((64, 64, 3)),
    keras.layers.Rescaling(1.0 / 255),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Flatten(),
    keras.layers.Dense(len(class_names)),
])
model.compile(keras.optimizers.Adam(learning_rate=1e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(train_ds, epochs=20)
embedder = keras.Model(model.inputs, model.layers[-2].output)
for images, _ in train_ds.take(1):
    print("embeddings:", embedder(images).shape)
