"""Sensor-window classifier trained with a class-conditioned scoring head; afterwards only the
encoder is wanted, to index windows by their encoding."""
import numpy as np
import tensorflow as tf

WINDOW, CHANNELS, CLASSES = 24, 3, 4


def build_trainer():
    window = tf.keras.Input(shape=(WINDOW, CHANNELS), name="window")
    wanted = tf.keras.Input(shape=(CLASSES,), name="wanted_class")
    h = tf.keras.layers.Conv1D(8, 5, activation="relu")(window)
    h = tf.keras.layers.GlobalMaxPooling1D()(h)
    h = tf.keras.layers.Dense(6, name="encoding")(h)
    joined = tf.keras.layers.Concatenate()([h, wanted])
    score = tf.keras.layers.Dense(1, activation="sigmoid")(joined)
    return tf.keras.Model([window, wanted], score)


windows = np.random.rand(32, WINDOW, CHANNELS).astype("float32")
classes = tf.keras.utils.to_categorical(np.random.randint(0, CLASSES, 32), CLASSES)
hits = np.random.randint(0, 2, size=(32, 1)).astype("float32")

trainer = build_trainer()
trainer.compile(optimizer="adam", loss="binary_crossentropy")
trainer.fit([windows, classes], hits, epochs=1, batch_size=8, verbose=0)

# the encoder alone, for the index
encoder = tf.keras.Model(trainer.inputs[0], trainer.get_layer("encoding").output)
codes = encoder.predict(windows, verbose=0)
print("index size:", codes.shape)
