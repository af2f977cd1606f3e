import numpy as np
import tensorflow as tf
from tensorflow import keras


def masked_mean(values, mask):
    mask = tf.cast(mask, values.dtype)[..., None]
    return tf.reduce_sum(values * mask, axis=1) / (tf.reduce_sum(mask, axis=1) + 1e-6)


def build_encoder(vocab=20, dim=8, length=7):
    ids = keras.Input((length,), dtype="int32")
    present = keras.layers.Lambda(lambda t: tf.not_equal(t, 0))(ids)
    vectors = keras.layers.Embedding(vocab, dim)(ids)
    pooled = keras.layers.Lambda(
        function=masked_mean, output_shape=(dim,), arguments={"mask": present}
    )(vectors)
    return keras.Model(ids, keras.layers.Dense(2)(pooled))


encoder = build_encoder()
tokens = np.random.randint(0, 20, size=(4, 7))
print(encoder.predict(tokens, verbose=0).shape)
