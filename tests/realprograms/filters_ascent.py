"""What a convnet's filters respond to: gradient ascent in input space, one filter at a time,
on a pre-trained MobileNetV2, then a grid of the first 4 filter patterns."""
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from tensorflow import keras

IMG_SIZE = 96
LAYER_NAME = "block_3_expand_relu"
ITERATIONS = 30
LEARNING_RATE = 10.0

base = keras.applications.MobileNetV2(weights="imagenet", include_top=False, input_shape=(IMG_SIZE, IMG_SIZE, 3),
                                      alpha=0.35)
inputs = keras.Input((IMG_SIZE, IMG_SIZE, 3))
x = base(inputs)
x = keras.layers.GlobalAveragePooling2D()(x)
classifier = keras.Model(inputs, keras.layers.Dense(5, activation="softmax")(x))
classifier.summary()

feature_extractor = keras.Model(base.inputs, base.get_layer(LAYER_NAME).output)


def compute_loss(input_image, filter_index):
    activation = feature_extractor(input_image)
    return tf.reduce_mean(activation[:, 2:-2, 2:-2, filter_index])


@tf.function
def gradient_ascent_step(img, filter_index, learning_rate):
    with tf.GradientTape() as tape:
        tape.watch(img)
        loss = compute_loss(img, filter_index)
    grads = tf.math.l2_normalize(tape.gradient(loss, img))
    return loss, img + learning_rate * grads


def deprocess_image(img):
    img = (img - img.mean()) / (img.std() + 1e-5) * 0.15 + 0.5
    return (np.clip(img, 0, 1) * 255).astype("uint8")


def visualize_filter(filter_index):
    img = tf.random.uniform((1, IMG_SIZE, IMG_SIZE, 3)) * 0.25 + 0.375
    for _ in range(ITERATIONS):
        loss, img = gradient_ascent_step(img, filter_index, LEARNING_RATE)
    return loss, deprocess_image(img[0].numpy())


all_imgs = []
for filter_index in range(4):
    print(f"processing filter {filter_index}")
    loss, img = visualize_filter(filter_index)
    all_imgs.append(img)

n = 2
stitched = np.zeros((n * IMG_SIZE, n * IMG_SIZE, 3), dtype="uint8")
for i in range(n):
    for j in range(n):
        stitched[i * IMG_SIZE:(i + 1) * IMG_SIZE, j * IMG_SIZE:(j + 1) * IMG_SIZE] = all_imgs[i * n + j]
plt.imshow(stitched)
plt.axis("off")
plt.show()
