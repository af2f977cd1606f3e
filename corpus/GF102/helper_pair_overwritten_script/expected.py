# Two sensor streams exchange information twice before they are joined.
import numpy as np
import tensorflow as tf

layers = tf.keras.layers


def exchange(audio, video, width):
    """Each stream adds a projection of both."""
    a = layers.Dense(width, activation="tanh")(layers.Concatenate()([audio, video]))
    v = layers.Dense(width, activation="tanh")(layers.Concatenate()([video, audio]))
    return layers.Add()([audio, a]), layers.Add()([video, v])


audio_in = tf.keras.Input((12,))
video_in = tf.keras.Input((10,))
audio = layers.Dense(8)(audio_in)
video = layers.Dense(8)(video_in)

audio_mix, video_mix = exchange(audio, video, 8)
audio_mix, video_mix = exchange(audio_mix, video_mix, 8)
joint = layers.Concatenate()([audio_mix, video_mix])
label = layers.Dense(1, activation="sigmoid")(joint)
model = tf.keras.Model([audio_in, video_in], label)
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit([np.random.rand(16, 12), np.random.rand(16, 10)], np.random.randint(0, 2, 16), epochs=1, verbose=0)
