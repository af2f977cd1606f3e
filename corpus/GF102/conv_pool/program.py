from tensorflow import keras
from tensorflow.keras import layers


def conv_block(x, filters):
    y = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    pooled = layers.MaxPooling2D()(y)
    y = layers.Conv2D(filters * 2, 3, padding="same", activation="relu")(y)
    return y


images = keras.Input(shape=(16, 16, 1))
features = conv_block(images, 4)
flat = layers.GlobalAveragePooling2D()(features)
scores = layers.Dense(3, activation="softmax")(flat)
classifier = keras.Model(images, scores)
classifier.summary(print_fn=lambda line: None)
