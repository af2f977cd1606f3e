import numpy as np
import tensorflow as tf
from tensorflow.keras import layers


def make_critic(size=16):
    picture = layers.Input(shape=(size, size, 1))
    x = layers.Conv2D(8, 4, strides=2, padding="same")(picture)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(16, 4, strides=2, padding="same")(picture)
    x = layers.LayerNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    realness = layers.Dense(1)(x)
    return tf.keras.Model(picture, realness, name="critic")


critic = make_critic()
critic.compile(optimizer=tf.keras.optimizers.RMSprop(5e-5), loss="mse")
batch = np.random.uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
critic.train_on_batch(batch, np.ones((4, 1)))
