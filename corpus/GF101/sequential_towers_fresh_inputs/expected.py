"""Two-tower relevance ranker: query and document towers merged under a small head."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

query_tower = keras.Sequential(
    [keras.Input(shape=(12,)), layers.Dense(8, activation="relu"), layers.Dense(4)],
    name="query_tower",
)
doc_tower = keras.Sequential(
    [keras.Input(shape=(20,)), layers.Dense(8, activation="relu"), layers.Dense(4)],
    name="doc_tower",
)

query_in = keras.Input(shape=(12,), name="query")
doc_in = keras.Input(shape=(20,), name="doc")
merged = layers.Concatenate()([query_tower(query_in), doc_tower(doc_in)])
relevance = layers.Dense(1, activation="sigmoid")(merged)
ranker = keras.Model([query_in, doc_in], relevance, name="ranker")

ranker.compile(optimizer="adam", loss="binary_crossentropy")
queries = np.random.rand(16, 12)
docs = np.random.rand(16, 20)
labels = np.random.randint(0, 2, size=(16, 1))
ranker.fit([queries, docs], labels, epochs=1, batch_size=8, verbose=0)
print(ranker.predict([queries[:2], docs[:2]], verbose=0).ravel())
