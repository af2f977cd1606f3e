import numpy as np
import tensorflow as tf


def build(features):
    inputs = tf.keras.Input(shape=(features,))
    hidden = tf.keras.layers.Dense(8, activation="relu")(inputs)
    outputs = tf.keras.layers.Dense(3, activation="softmax")(hidden)
    model = tf.keras.Model(inputs, outputs)
    class_weights = tf.constant([1.0, 2.0, 0.5])

    def weighted_ce(y_true, y_pred):
        y_true = tf.cast(tf.reshape(y_true, [-1]), tf.int32)
        ce = tf.keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
        return ce * tf.gather(class_weights, y_true)

    model.compile(optimizer="adam", loss=weighted_ce)
    return model


model = build(4)
x = np.random.rand(16, 4).astype("float32")
y = np.random.randint(0, 3, size=(16, 1))
print(model.fit(x, y, batch_size=8, epochs=1, verbose=0).history["loss"][-1])
