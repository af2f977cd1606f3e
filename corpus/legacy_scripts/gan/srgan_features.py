"""Perceptual (VGG feature) loss as in SRGAN: a pre-trained network truncated to one layer."""
from __future__ import print_function, division

from keras.applications import VGG19
from keras.layers import Input, Add, Activation
from keras.layers.convolutional import UpSampling2D, Conv2D
from keras.layers.normalization import BatchNormalization
from keras.models import Model
from keras.optimizers import Adam
import numpy as np


class SRGAN():
    def __init__(self):
        self.channels = 3
        self.lr_height = 8
        self.lr_width = 8
        self.lr_shape = (self.lr_height, self.lr_width, self.channels)
        self.hr_height = self.lr_height * 4
        self.hr_width = self.lr_width * 4
        self.hr_shape = (self.hr_height, self.hr_width, self.channels)
        self.n_residual_blocks = 2
        self.gf = 8

        optimizer = Adam(0.0002, 0.5)

        # We use a pre-trained VGG19 model to extract image features from the high resolution
        # and the generated high resolution images and minimize the mse between them
        self.vgg = self.build_vgg()
        self.vgg.trainable = False
        self.vgg.compile(loss='mse', optimizer=optimizer, metrics=['accuracy'])

        self.generator = self.build_generator()
        img_lr = Input(shape=self.lr_shape)
        fake_hr = self.generator(img_lr)
        fake_features = self.vgg(fake_hr)

        self.combined = Model(img_lr, fake_features)
        self.combined.compile(loss='mse', optimizer=optimizer)

    def build_vgg(self):
        """Builds a VGG19 model that outputs image features extracted at the third block"""
        vgg = VGG19(weights=None, include_top=False, input_shape=self.hr_shape)
        # Set outputs to outputs of last conv. layer in block 3
        vgg.outputs = [vgg.layers[9].output]

        img = Input(shape=self.hr_shape)
        img_features = vgg(img)
        return Model(img, img_features)

    def build_generator(self):
        def residual_block(layer_input, filters):
            d = Conv2D(filters, kernel_size=3, strides=1, padding='same')(layer_input)
            d = Activation('relu')(d)
            d = BatchNormalization(momentum=0.8)(d)
            d = Conv2D(filters, kernel_size=3, strides=1, padding='same')(d)
            d = BatchNormalization(momentum=0.8)(d)
            return Add()([d, layer_input])

        def deconv2d(layer_input):
            u = UpSampling2D(size=2)(layer_input)
            u = Conv2D(self.gf, kernel_size=3, strides=1, padding='same')(u)
            return Activation('relu')(u)

        img_lr = Input(shape=self.lr_shape)
        c1 = Conv2D(self.gf, kernel_size=9, strides=1, padding='same', activation='relu')(img_lr)
        r = residual_block(c1, self.gf)
        for _ in range(self.n_residual_blocks - 1):
            r = residual_block(r, self.gf)
        u1 = deconv2d(r)
        u2 = deconv2d(u1)
        gen_hr = Conv2D(self.channels, kernel_size=9, strides=1, padding='same', activation='tanh')(u2)
        return Model(img_lr, gen_hr)

    def train(self, epochs, batch_size=1):
        for epoch in range(epochs):
            imgs_hr = np.random.uniform(-1, 1, (batch_size,) + self.hr_shape)
            imgs_lr = imgs_hr[:, ::4, ::4, :]
            image_features = self.vgg.predict(imgs_hr)
            g_loss = self.combined.train_on_batch(imgs_lr, image_features)
            print("%d [G loss: %f]" % (epoch, g_loss))


if __name__ == '__main__':
    gan = SRGAN()
    gan.train(epochs=2, batch_size=2)
