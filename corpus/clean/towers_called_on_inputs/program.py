import keras
import numpy as np
from keras import layers


class TwoTowerRanker:
    def __init__(self, query_dim=12, doc_dim=20, embed_dim=4):
        self.query_tower = keras.Sequential(
            [keras.Input(shape=(query_dim,)), layers.Dense(8, activation="relu"), layers.Dense(embed_dim)],
            name="query_tower",
        )
        self.doc_tower = keras.Sequential(
            [keras.Input(shape=(doc_dim,)), layers.Dense(8, activation="relu"), layers.Dense(embed_dim)],
            name="doc_tower",
        )
        query_in = keras.Input(shape=(query_dim,), name="query")
        doc_in = keras.Input(shape=(doc_dim,), name="doc")
        merged = layers.Concatenate()([self.query_tower(query_in), self.doc_tower(doc_in)])
        relevance = layers.Dense(1, activation="sigmoid")(merged)
        self.ranker = keras.Model([query_in, doc_in], relevance)
        # the query embedder for serving: the tower's own graph, from its own input
        self.query_embedder = keras.Model(self.query_tower.input, self.query_tower.output)


def train():
    model = TwoTowerRanker()
    model.ranker.compile(optimizer="adam", loss="binary_crossentropy")
    queries, docs = np.random.rand(16, 12), np.random.rand(16, 20)
    labels = np.random.randint(0, 2, size=(16, 1))
    model.ranker.fit([queries, docs], labels, epochs=1, batch_size=8, verbose=0)
    return model.query_embedder.predict(queries[:2], verbose=0)


print(train().shape)
