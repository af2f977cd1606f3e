import numpy as np
from keras import backend as K
from keras.layers import Input, Dense, Flatten
from keras.models import Model
from keras.optimizers import RMSprop
import keras


class _Merge(keras.layers.Layer):
    """Keras 2's `keras.layers.merge._Merge`, which Keras 3 does not have: `call` passes the list of
    inputs to `_merge_function`, as Keras 2's did."""

    def call(self, inputs):
        return self._merge_function(inputs)


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
