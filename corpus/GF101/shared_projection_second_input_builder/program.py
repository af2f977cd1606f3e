import keras
from keras import layers


def build_retrieval(dim=12, width=6):
    """One projection shared by documents and queries; the query encoder is kept for search."""
    doc_in = keras.Input((dim,), name="doc")
    query_in = keras.Input((dim,), name="query")
    project = layers.Dense(width, activation="tanh", name="project")
    doc_vec = project(doc_in)
    query_vec = project(query_in)
    score = layers.Dot(axes=1, normalize=True)([doc_vec, query_vec])
    scorer = keras.Model([doc_in, query_in], score)
    query_encoder = keras.Model(query_in, project.output)
    return scorer, query_encoder
