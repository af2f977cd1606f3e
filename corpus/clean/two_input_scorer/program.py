"""A genuine two-input scorer: user features through a tower, item features used raw."""
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

user_feats = tf.keras.Input(shape=(6,), name="user")
item_feats = tf.keras.Input(shape=(4,), name="item")

user_vec = layers.Dense(4, activation="relu")(user_feats)
pair = layers.Concatenate()([user_vec, item_feats])
score = layers.Dense(1, activation="sigmoid")(layers.Dense(8, activation="relu")(pair))

scorer = tf.keras.Model(inputs=[user_feats, item_feats], outputs=score)
user_encoder = tf.keras.Model(user_feats, user_vec)  # reused for nearest-neighbour lookups
scorer.compile(optimizer="adam", loss="binary_crossentropy")

xa = np.random.rand(16, 6).astype("float32")
xb = np.random.rand(16, 4).astype("float32")
y = np.random.randint(0, 2, size=(16, 1)).astype("float32")
scorer.fit([xa, xb], y, epochs=1, batch_size=8, verbose=0)
print(user_encoder.predict(xa[:2], verbose=0).shape)
