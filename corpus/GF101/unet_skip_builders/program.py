"""Road-mask segmenter assembled from a separately built contracting path and expanding path,
so the expanding path can later be reused on cached codes."""
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers


def contracting_path(size, channels):
    tile = tf.keras.Input(shape=(size, size, channels), name="tile")
    down1 = layers.Conv2D(4, 3, padding="same", activation="relu")(tile)
    pooled1 = layers.MaxPooling2D()(down1)
    down2 = layers.Conv2D(8, 3, padding="same", activation="relu")(pooled1)
    pooled2 = layers.MaxPooling2D()(down2)
    contracting = tf.keras.Model(tile, pooled2, name="contracting")
    return contracting, down1, down2


def expanding_path(code_shape, down1, down2):
    code = tf.keras.Input(shape=code_shape, name="code")
    up2 = layers.Conv2DTranspose(8, 2, strides=2, padding="same")(code)
    up2 = layers.concatenate([up2, down2])  # skip from the contracting path
    up2 = layers.Conv2D(8, 3, padding="same", activation="relu")(up2)
    up1 = layers.Conv2DTranspose(4, 2, strides=2, padding="same")(up2)
    up1 = layers.concatenate([up1, down1])
    mask = layers.Conv2D(1, 1, activation="sigmoid")(up1)
    return tf.keras.Model(code, mask, name="expanding")


contracting, skip_a, skip_b = contracting_path(16, 3)
expanding = expanding_path((4, 4, 8), skip_a, skip_b)

tiles = tf.keras.Input(shape=(16, 16, 3))
segmenter = tf.keras.Model(tiles, expanding(contracting(tiles)))
segmenter.compile(optimizer="adam", loss="binary_crossentropy")

rng = np.random.default_rng(3)
images = rng.random((12, 16, 16, 3)).astype("float32")
masks = (images[..., :1] > 0.5).astype("float32")
segmenter.fit(images, masks, epochs=1, batch_size=4, verbose=0)
print("mask mean", float(segmenter.predict(images[:2], verbose=0).mean()))
