"""Click-through scorer: a user tower and raw item features, scored together."""
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

n_user_features, n_item_features = 6, 4

user_feats = tf.keras.Input(shape=(n_user_features,), name="user")
item_feats = tf.keras.Input(shape=(n_item_features,), name="item")

user_vec = layers.Dense(4, activation="relu", name="user_embedding")(user_feats)
pair = layers.Concatenate()([user_vec, item_feats])
hidden = layers.Dense(8, activation="relu")(pair)
score = layers.Dense(1, activation="sigmoid", name="click")(hidden)

scorer = tf.keras.Model(inputs=[user_feats, item_feats], outputs=score, name="scorer")
scorer.compile(optimizer="adam", loss="binary_crossentropy")

xa = np.random.rand(32, n_user_features).astype("float32")
xb = np.random.rand(32, n_item_features).astype("float32")
y = np.random.randint(0, 2, size=(32, 1)).astype("float32")
scorer.fit([xa, xb], y, epochs=1, batch_size=8, verbose=0)
print(scorer.predict([xa[:3], xb[:3]], verbose=0).shape)
