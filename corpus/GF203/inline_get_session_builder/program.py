import numpy as np
from keras import backend as K
from keras import layers, models


def make_scorer():
    tokens = layers.Input((12,), name="tokens")
    weights = layers.Dense(12, activation="softmax", name="weights")(tokens)
    pooled = layers.Dot(axes=1, name="pooled")([tokens, weights])
    return models.Model(tokens, layers.Dense(1, name="score")(pooled))


def explain(scorer, rows):
    attention = scorer.get_layer("weights").output
    return K.get_session().run(attention, feed_dict={scorer.input: rows})


def main():
    scorer = make_scorer()
    maps = explain(scorer, np.random.rand(5, 12).astype("float32"))
    assert maps.shape == (5, 12)
    return scorer


if __name__ == "__main__":
    main()
