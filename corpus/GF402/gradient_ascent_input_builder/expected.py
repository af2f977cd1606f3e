# Visualise what a filter responds to: gradient ascent on the input image (Keras 2 style).
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K


def small_convnet():
    image = tf.keras.Input((16, 16, 3))
    x = tf.keras.layers.Conv2D(4, 3, activation="relu", name="conv_a")(image)
    x = tf.keras.layers.Conv2D(6, 3, activation="relu", name="conv_b")(x)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    return tf.keras.Model(image, tf.keras.layers.Dense(2)(x))


def visualize_filter(model, layer_name, filter_index, steps=4):
    iterate_model = tf.keras.Model([model.input], model.get_layer(layer_name).output)

    def iterate(values):
        feeds = [tf.convert_to_tensor(value) for value in values[:1]]
        with tf.GradientTape() as tape:
            tape.watch(feeds)
            tensor = iterate_model(feeds[0])
            tape.watch([tensor])
            layer_output = tensor
            loss = K.mean(layer_output[:, :, :, filter_index])
        grads = tape.gradient(loss, feeds[0])
        grads /= K.sqrt(K.mean(K.square(grads))) + 1e-5
        return [loss.numpy(), grads.numpy()]

    image = np.random.random((1, 16, 16, 3)) * 20 + 128.0
    for _ in range(steps):
        loss_value, grads_value = iterate([image])
        image += grads_value * 1.0
    return image, loss_value


def main():
    model = small_convnet()
    pattern, activation = visualize_filter(model, "conv_b", 3)
    assert pattern.shape == (1, 16, 16, 3) and np.isfinite(activation)
    return model


if __name__ == "__main__":
    main()
