import tensorflow.examples.tutorials.mnist.input_data as input_data
from keras.layers import Input, Dense
from keras.models import Model

mnist = input_data.read_data_sets("/tmp/data/", one_hot=False)

inp = Input(shape=(784,))
code = Dense(8, activation='relu')(inp)
recon = Dense(784, activation='sigmoid')(code)
autoencoder = Model(inp, recon)
autoencoder.compile(optimizer='adam', loss='binary_crossentropy')
autoencoder.fit(mnist.train.images[:64], mnist.train.images[:64], epochs=1, batch_size=32, verbose=0)
print(autoencoder.evaluate(mnist.validation.images[:32], mnist.validation.images[:32], verbose=0))
