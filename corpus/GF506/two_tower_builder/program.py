from keras.layers import Input, Dense, Flatten, merge
from keras.models import Model


def build_model(text_dim=12, image_shape=(4, 4, 1)):
    text = Input(shape=(text_dim,), name='text')
    image = Input(shape=image_shape, name='image')
    t = Dense(6, activation='relu')(text)
    i = Dense(6, activation='relu')(Flatten()(image))
    joint = merge([t, i], mode='concat', concat_axis=-1, name='joint')
    gate = merge([t, i], mode='mul')
    features = merge([joint, merge([gate, gate], mode='concat')], mode='ave')
    return Model([text, image], Dense(3, activation='softmax')(features))


if __name__ == '__main__':
    model = build_model()
    model.compile('sgd', 'categorical_crossentropy')
    model.summary()
