"""Model definitions (imported by the scripts)."""
from keras.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D
from keras.models import Model

from config import IMAGE_SIZE, N_CLASSES


def small_cnn():
    img = Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1), name="image")
    x = Conv2D(4, (3, 3), activation="relu", name="conv1")(img)
    x = MaxPooling2D((2, 2), name="pool1")(x)
    x = Conv2D(6, (3, 3), activation="relu", name="conv2")(x)
    x = Flatten(name="flatten")(x)
    x = Dense(8, activation="relu", name="fc1")(x)
    out = Dense(N_CLASSES, activation="softmax", name="predictions")(x)
    return Model(inputs=img, outputs=out)
