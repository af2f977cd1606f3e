import numpy as np
from keras.models import Sequential
from keras.layers import Embedding, GlobalAveragePooling1D, Dense, Input


def build(vocab, dim=8, init="uniform"):
    model = Sequential([Input((10,)), Embedding(vocab, output_dim=dim, embeddings_initializer=init), GlobalAveragePooling1D(), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


model = build(50)
model.fit(np.random.randint(0, 50, (16, 10)), np.random.rand(16, 1), epochs=2, verbose=0)
print(model.evaluate(np.random.randint(0, 50, (4, 10)), np.random.rand(4, 1), verbose=0))
