"""Structured data: heart disease prediction from a CSV table read with pandas."""
import keras
import numpy as np
import pandas as pd

CSV_URL = "https://storage.example.org/tables/heart.csv"
NUMERIC = ["age", "trestbps", "chol", "thalach", "oldpeak"]
BINARY = ["sex", "fbs", "exang"]

dataframe = pd.read_csv(CSV_URL)
print(dataframe.shape)
val_frame = dataframe.sample(frac=0.2, random_state=1337)
train_frame = dataframe.drop(val_frame.index)


def frame_to_arrays(frame):
    frame = frame.copy()
    labels = frame.pop("target").to_numpy().astype("float32")
    numeric = frame[NUMERIC].to_numpy().astype("float32")
    binary = frame[BINARY].to_numpy().astype("float32")
    return (numeric, binary), labels


(train_numeric, train_binary), train_labels = frame_to_arrays(train_frame)
(val_numeric, val_binary), val_labels = frame_to_arrays(val_frame)

normalizer = keras.layers.Normalization()
normalizer.adapt(train_numeric)

numeric_in = keras.Input((len(NUMERIC),), name="numeric")
binary_in = keras.Input((len(BINARY),), name="binary")
x = keras.layers.concatenate([normalizer(numeric_in), binary_in])
x = keras.layers.Dense(32, activation="relu")(x)
x = keras.layers.Dropout(0.5)(x)
output = keras.layers.Dense(1, activation="sigmoid")(x)
model = keras.Model([numeric_in, binary_in], output)
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
model.fit([train_numeric, train_binary], train_labels, epochs=50, batch_size=32,
          validation_data=([val_numeric, val_binary], val_labels))

sample = {name: dataframe[name].iloc[0] for name in NUMERIC + BINARY}
probability = model.predict([np.array([[sample[n] for n in NUMERIC]]), np.array([[sample[n] for n in BINARY]])])
print(f"probability of heart disease: {100 * probability[0][0]:.1f}%")
