import tensorflow as tf
from keras import Sequential, layers
import keras


def small_backbone():
    """A frozen feature extractor shared by several heads."""
    base = keras.Sequential(
        [keras.Input((16, 16, 3)), keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.GlobalAveragePooling2D()]
    )
    base.trainable = False
    return base


def build_classifier(n_classes=3):
    model = Sequential([small_backbone(), layers.Dense(16, activation="relu"), layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model
