"""Digit classification on MNIST: train a small convnet, plot predictions and feature maps."""
import matplotlib.pyplot as plt
import numpy as np
from tensorflow import keras

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = np.expand_dims(x_train.astype("float32") / 255.0, -1)
x_test = np.expand_dims(x_test.astype("float32") / 255.0, -1)

model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Flatten(),
    keras.layers.Dropout(0.3),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=128, epochs=15, validation_split=0.1)
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {test_acc:.3f}")

plt.plot(history.history["accuracy"], label="train")
plt.plot(history.history["val_accuracy"], label="validation")
plt.legend()
plt.savefig("accuracy.png")

predictions = model.predict(x_test)
fig, axes = plt.subplots(5, 5, figsize=(8, 8))
for i, ax in enumerate(axes.flat):
    index = 40 * i
    ax.imshow(x_test[index, :, :, 0], cmap="gray")
    ax.set_title(f"{np.argmax(predictions[index])} ({y_test[index]})")
    ax.axis("off")
plt.show()

feature_model = keras.Model(model.inputs, model.layers[0].output)
maps = feature_model.predict(x_test[:1])
plt.figure(figsize=(8, 2))
for channel in range(maps.shape[-1]):
    plt.subplot(1, maps.shape[-1], channel + 1)
    plt.imshow(maps[0, :, :, channel], cmap="viridis")
plt.show()
