"""Sentiment classification of movie reviews read from the aclImdb folders (downloaded and
unpacked by a shell step before the script runs: curl -O .../aclImdb_v1.tar.gz; tar -xf ...),
whose place is given on the command line."""
import argparse
import os
import re
import string

import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

parser = argparse.ArgumentParser(description="Train a review classifier: python imdb_folder.py aclImdb")
parser.add_argument("data_dir", help="the unpacked aclImdb folder (train/ and test/ inside)")
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--batch-size", type=int, default=32)
args = parser.parse_args()

MAX_FEATURES = 5000
SEQUENCE_LENGTH = 200
train_dir, test_dir = os.path.join(args.data_dir, "train"), os.path.join(args.data_dir, "test")

raw_train_ds = keras.utils.text_dataset_from_directory(
    train_dir, batch_size=args.batch_size, validation_split=0.2, subset="training", seed=1337)
raw_val_ds = keras.utils.text_dataset_from_directory(
    train_dir, batch_size=args.batch_size, validation_split=0.2, subset="validation", seed=1337)
raw_test_ds = keras.utils.text_dataset_from_directory(test_dir, batch_size=args.batch_size)
print("classes:", raw_train_ds.class_names)


def custom_standardization(input_data):
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")


vectorize_layer = layers.TextVectorization(
    standardize=custom_standardization, max_tokens=MAX_FEATURES, output_mode="int",
    output_sequence_length=SEQUENCE_LENGTH)
vectorize_layer.adapt(raw_train_ds.map(lambda x, y: x))


def vectorize_text(text, label):
    return vectorize_layer(tf.expand_dims(text, -1)), label


train_ds = raw_train_ds.map(vectorize_text).cache().prefetch(10)
val_ds = raw_val_ds.map(vectorize_text).cache().prefetch(10)
test_ds = raw_test_ds.map(vectorize_text)

inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(MAX_FEATURES, 16)(inputs)
x = layers.Dropout(0.5)(x)
x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(16, activation="relu")(x)
predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
model = keras.Model(inputs, predictions)
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(train_ds, validation_data=val_ds, epochs=args.epochs)
print("test:", model.evaluate(test_ds))

text_input = keras.Input(shape=(1,), dtype="string")
end_to_end = keras.Model(text_input, model(vectorize_layer(text_input)))
end_to_end.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
print(end_to_end.predict(tf.constant([["a wonderful film"], ["the worst film of the year"]])))
