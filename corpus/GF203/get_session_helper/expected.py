import numpy as np
import keras
from keras import backend as K


def layer_values(model, name, batch):
    session = K.get_session()
    return session.run([model.get_layer(name).output], feed_dict={model.inputs[0]: batch})


inp = keras.Input((6,))
model = keras.Model(inp, keras.layers.Dense(2, name="out")(keras.layers.Dense(4, name="mid")(inp)))
(mid,) = layer_values(model, "mid", np.zeros((2, 6)))
print(mid.shape)
