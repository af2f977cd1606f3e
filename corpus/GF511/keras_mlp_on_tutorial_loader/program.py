import keras
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)

model = keras.Sequential([
    keras.Input((784,)),
    keras.layers.Dense(16, activation='relu'),
    keras.layers.Dense(10, activation='softmax'),
])
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
for step in range(5):
    batch_x, batch_y = mnist.train.next_batch(32)
    model.train_on_batch(batch_x, batch_y)
print(model.evaluate(mnist.test.images, mnist.test.labels, verbose=0))
