import numpy as np
from keras.layers import Input, Dense, Flatten
from keras.models import Model
from keras.optimizers import Adam


class Discriminator:
    def __init__(self, num_classes=4):
        self.num_classes = num_classes
        self.model = self.build()
        self.model.compile(loss=['binary_crossentropy', 'sparse_categorical_crossentropy'],
                           optimizer=Adam(0.0002, 0.5),
                           metrics=['accuracy'])

    def build(self):
        img = Input(shape=(6, 6, 1))
        features = Dense(16, activation='relu')(Flatten()(img))
        validity = Dense(1, activation='sigmoid')(features)
        label = Dense(self.num_classes, activation='softmax')(features)
        return Model(img, [validity, label])


d = Discriminator()
imgs = np.random.rand(8, 6, 6, 1)
loss = d.model.train_on_batch(imgs, [np.ones((8, 1)), np.random.randint(0, 4, (8, 1))])
print("[D loss: %f, acc: %.2f%%]" % (loss[0], 100 * loss[3]))
