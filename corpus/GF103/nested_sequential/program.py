import numpy as np
import tensorflow as tf

base = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(16, 16, 3)),
        tf.keras.layers.Conv2D(4, 3, name="conv_a"),
        tf.keras.layers.Conv2D(4, 3, name="conv_b"),
    ],
    name="backbone",
)
inp = tf.keras.Input(shape=(16, 16, 3))
x = base(inp)
x = tf.keras.layers.GlobalAveragePooling2D()(x)
out = tf.keras.layers.Dense(2, activation="softmax")(x)
clf = tf.keras.Model(inp, out)

# feature maps of the first conv layer
feat = tf.keras.Model(clf.inputs, clf.get_layer("backbone").get_layer("conv_a").output)
print(feat.predict(np.zeros((1, 16, 16, 3)), verbose=0).shape)
