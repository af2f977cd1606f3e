from __future__ import print_function, division

from keras.datasets import mnist
from keras.layers import Input, Dense, Reshape, Flatten, Dropout, concatenate
from keras.layers import BatchNormalization, Activation
from keras.layers.advanced_activations import LeakyReLU
from keras.models import Sequential, Model
from keras.optimizers import Adam
from keras.utils import to_categorical
import keras.backend as K

import numpy as np


class INFOGAN():
    def __init__(self):
        self.img_shape = (28, 28, 1)
        self.num_classes = 10
        self.latent_dim = 26

        optimizer = Adam(0.0002, 0.5)
        losses = ['binary_crossentropy', self.mutual_info_loss]

        self.discriminator, self.auxilliary = self.build_disk_and_q_net()
        self.discriminator.compile(loss=['binary_crossentropy'],
            optimizer=optimizer,
            metrics=['accuracy'])
        self.auxilliary.compile(loss=[self.mutual_info_loss],
            optimizer=optimizer,
            metrics=['accuracy'])

        self.generator = self.build_generator()
        gen_input = Input(shape=(self.latent_dim,))
        img = self.generator(gen_input)

        self.discriminator.trainable = False
        valid = self.discriminator(img)
        target_label = self.auxilliary(img)

        self.combined = Model(gen_input, [valid, target_label])
        self.combined.compile(loss=losses, optimizer=optimizer)

    def build_generator(self):
        model = Sequential()
        model.add(Dense(32, activation="relu", input_dim=self.latent_dim))
        model.add(BatchNormalization(momentum=0.8))
        model.add(Dense(np.prod(self.img_shape)))
        model.add(Activation("tanh"))
        model.add(Reshape(self.img_shape))
        gen_input = Input(shape=(self.latent_dim,))
        return Model(gen_input, model(gen_input))

    def build_disk_and_q_net(self):
        img = Input(shape=self.img_shape)
        model = Sequential()
        model.add(Flatten(input_shape=self.img_shape))
        model.add(Dense(32))
        model.add(LeakyReLU(alpha=0.2))
        model.add(Dropout(0.25))
        img_embedding = model(img)

        validity = Dense(1, activation='sigmoid')(img_embedding)
        q_net = Dense(16, activation='relu')(img_embedding)
        label = Dense(self.num_classes, activation='softmax')(q_net)
        return Model(img, validity), Model(img, label)

    def mutual_info_loss(self, c, c_given_x):
        """The mutual information metric we aim to minimize"""
        eps = 1e-8
        conditional_entropy = K.mean(- K.sum(K.log(c_given_x + eps) * c, axis=1))
        entropy = K.mean(- K.sum(K.log(c + eps) * c, axis=1))
        return conditional_entropy + entropy

    def sample_generator_input(self, batch_size):
        sampled_noise = np.random.normal(0, 1, (batch_size, 16))
        sampled_labels = np.random.randint(0, self.num_classes, batch_size).reshape(-1, 1)
        sampled_labels = to_categorical(sampled_labels, num_classes=self.num_classes)
        return sampled_noise, sampled_labels

    def train(self, epochs, batch_size=128, sample_interval=50):
        (X_train, y_train), (_, _) = mnist.load_data()
        X_train = (X_train.astype(np.float32) - 127.5) / 127.5
        X_train = np.expand_dims(X_train, axis=3)
        valid = np.ones((batch_size, 1))
        fake = np.zeros((batch_size, 1))
        for epoch in range(epochs):
            imgs = X_train[np.random.randint(0, X_train.shape[0], batch_size)]
            sampled_noise, sampled_labels = self.sample_generator_input(batch_size)
            gen_input = np.concatenate((sampled_noise, sampled_labels), axis=1)
            gen_imgs = self.generator.predict(gen_input)
            d_loss_real = self.discriminator.train_on_batch(imgs, valid)
            d_loss_fake = self.discriminator.train_on_batch(gen_imgs, fake)
            d_loss = 0.5 * np.add(d_loss_real, d_loss_fake)
            g_loss = self.combined.train_on_batch(gen_input, [valid, sampled_labels])
            print("%d [D loss: %.2f] [Q loss: %.2f] [G loss: %.2f]" % (epoch, d_loss[0], g_loss[1], g_loss[2]))


if __name__ == '__main__':
    infogan = INFOGAN()
    infogan.train(epochs=3, batch_size=16, sample_interval=50)
