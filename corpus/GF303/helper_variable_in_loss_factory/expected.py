import numpy as np
import tensorflow as tf


_pairwise_costs_costs = None  # created once, on the first call of `pairwise_costs`


def pairwise_costs(probs, costs=None):
    global _pairwise_costs_costs
    classes = probs.shape[-1]
    if costs is None:
        if _pairwise_costs_costs is None:
            _pairwise_costs_costs = tf.Variable(1.0 - tf.eye(classes), trainable=False, name="costs")
        costs = _pairwise_costs_costs
    return tf.reduce_sum(tf.matmul(probs, costs) * probs, axis=-1)


def make_cost_sensitive_loss(weight):
    def loss(y_true, y_pred):
        ce = tf.keras.losses.sparse_categorical_crossentropy(y_true, y_pred)
        return ce + weight * pairwise_costs(y_pred)

    return loss


def build_model(classes):
    inputs = tf.keras.Input(shape=(5,))
    h = tf.keras.layers.Dense(8, activation="relu")(inputs)
    return tf.keras.Model(inputs, tf.keras.layers.Dense(classes, activation="softmax")(h))


model = build_model(3)
model.compile(optimizer="adam", loss=make_cost_sensitive_loss(0.1))
x = np.random.rand(16, 5).astype("float32")
y = np.random.randint(0, 3, size=(16,))
history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
print(history.history["loss"][-1])
