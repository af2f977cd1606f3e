from tensorflow import keras
from tensorflow.keras import layers


def build_tagger(steps=10, features=5, tags=3):
    frames = keras.Input(shape=(steps, features))
    seq = layers.Conv1D(8, 3, padding="same", activation="relu")(frames)
    seq = layers.Conv1D(8, 3, padding="same", activation="relu")(seq)
    tag_scores = layers.Dense(tags)(seq)
    tag_probs = layers.Softmax(axis=-1)(tag_scores)
    return keras.Model(frames, tag_probs, name="tagger")
