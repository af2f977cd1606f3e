"""A classifier that also learns to denoise its input: the decoder's size comes from the input."""
import numpy as np
import tensorflow as tf


class DenoisingClassifier(tf.keras.Model):
    def __init__(self, n_classes, weight=0.1):
        super(DenoisingClassifier, self).__init__()
        self.encoder = tf.keras.layers.Dense(16, activation="relu")
        self.head = tf.keras.layers.Dense(n_classes, activation="softmax")
        self.weight = weight

    def build(self, input_shape):
        self.decoder = tf.keras.layers.Dense(input_shape[-1])
        super(DenoisingClassifier, self).build(input_shape)

    def call(self, x):
        code = self.encoder(x)
        restored = self.decoder(code)
        self.add_loss(self.weight * tf.reduce_mean(tf.abs(restored - x)))
        return self.head(code)


features = np.random.rand(64, 10).astype("float32")
labels = np.random.randint(0, 3, size=(64,))
model = DenoisingClassifier(3)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(features, labels, batch_size=16, epochs=1, verbose=0)
print(model.predict(features[:4], verbose=0).shape)
