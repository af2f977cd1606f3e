"""Text classification from a zip archive downloaded with requests."""
import io
import tempfile
import zipfile

import keras
import requests

response = requests.get("https://files.example.org/reviews_v1.zip", timeout=30)
response.raise_for_status()
root = tempfile.mkdtemp()
zipfile.ZipFile(io.BytesIO(response.content)).extractall(root)

raw_train = keras.utils.text_dataset_from_directory(root, batch_size=8)
vectorize = keras.layers.TextVectorization(max_tokens=2000, output_sequence_length=40)
vectorize.adapt(raw_train.map(lambda text, label: text))

inputs = keras.Input((1,), dtype="string")
x = vectorize(inputs)
x = keras.layers.Embedding(2000, 16)(x)
x = keras.layers.GlobalAveragePooling1D()(x)
outputs = keras.layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit(raw_train.map(lambda t, y: (keras.ops.expand_dims(t, -1), y)), epochs=10)
