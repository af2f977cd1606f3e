import numpy as np
import tensorflow as tf


def pairwise_scores(inputs, temperature):
    queries, keys = inputs
    return tf.matmul(queries, keys, transpose_b=True) / temperature


q_in = tf.keras.Input((4, 8))
k_in = tf.keras.Input((6, 8))
q = tf.keras.layers.Dense(8)(q_in)
k = tf.keras.layers.Dense(8)(k_in)
temp = tf.keras.layers.Dense(1, activation="softplus")(tf.keras.layers.Flatten()(q_in))
scores = tf.keras.layers.Lambda(lambda t: pairwise_scores([t[0], t[1]], temperature=t[2]))([q, k, temp[:, :, None]])
attn = tf.keras.layers.Softmax()(scores)
model = tf.keras.Model([q_in, k_in], attn)
print(model.predict([np.ones((2, 4, 8)), np.ones((2, 6, 8))], verbose=0).shape)
