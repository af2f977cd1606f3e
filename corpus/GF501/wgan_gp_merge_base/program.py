import numpy as np
from keras import backend as K
from keras.layers import Input, Dense, Flatten
from keras.layers.merge import _Merge
from keras.models import Model
from keras.optimizers import RMSprop


class WeightedAverage(_Merge):
    """Points between real and fake samples, for the gradient penalty."""

    def _merge_function(self, inputs):
        return 0.3 * inputs[0] + 0.7 * inputs[1]


def critic_model(shape):
    img = Input(shape=shape)
    h = Flatten()(img)
    h = Dense(32, activation="relu")(h)
    return Model(img, Dense(1)(h))


real_img = Input(shape=(8, 8, 1))
fake_img = Input(shape=(8, 8, 1))
critic = critic_model((8, 8, 1))
interpolated = WeightedAverage()([real_img, fake_img])
scores = Model([real_img, fake_img], [critic(real_img), critic(fake_img), critic(interpolated)])
scores.compile(optimizer=RMSprop(learning_rate=5e-5), loss=["mse", "mse", "mse"])
batch = [np.random.rand(4, 8, 8, 1), np.random.rand(4, 8, 8, 1)]
print([o.shape for o in scores.predict(batch, verbose=0)])
print("epsilon", K.epsilon())
