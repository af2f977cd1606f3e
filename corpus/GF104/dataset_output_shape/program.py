import numpy as np
import tensorflow as tf

BATCH = 8

signals = np.random.rand(64, 20, 3).astype("float32")
activity = np.random.randint(0, 4, 64)
train_ds = tf.data.Dataset.from_tensor_slices((signals, activity)).shuffle(64).batch(BATCH)

model = tf.keras.Sequential()
model.add(tf.keras.layers.Conv1D(8, 5, activation="relu"))
model.add(tf.keras.layers.GlobalMaxPooling1D())
model.add(tf.keras.layers.Dense(4))

print("logits per window:", model.output_shape)
model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(train_ds, epochs=2, verbose=0)
