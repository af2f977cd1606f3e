from keras.layers import Input, Dense, Flatten, Concatenate, Multiply, Average
from keras.models import Model


def build_model(text_dim=12, image_shape=(4, 4, 1)):
    text = Input(shape=(text_dim,), name='text')
    image = Input(shape=image_shape, name='image')
    t = Dense(6, activation='relu')(text)
    i = Dense(6, activation='relu')(Flatten()(image))
    joint = Concatenate(axis=-1, name='joint')([t, i])
    gate = Multiply()([t, i])
    features = Average()([joint, Concatenate()([gate, gate])])
    return Model([text, image], Dense(3, activation='softmax')(features))


if __name__ == '__main__':
    model = build_model()
    model.compile('sgd', 'categorical_crossentropy')
    model.summary()
