import tensorflow as tf

model = tf.keras.models.Sequential()
model.add(tf.keras.layers.Dense(16, activation="relu", name="hidden"))
model.add(tf.keras.layers.Dense(4, activation="softmax"))
model.build((None, 10))

hidden_out = tf.keras.Model(inputs=model.input, outputs=model.get_layer("hidden").output)
print(hidden_out.output_shape if hasattr(hidden_out, "output_shape") else hidden_out.outputs[0].shape)
