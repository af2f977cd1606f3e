"""Text classifier with mean and max pooling over time, written with Lambda layers (2017)."""
import numpy as np
from keras import backend as K
from keras.layers import Input, Embedding, Lambda, Dense, concatenate
from keras.models import Model

maxlen, vocab = 12, 100
words = Input(shape=(maxlen,))
emb = Embedding(vocab, 16)(words)
avg_pool = Lambda(lambda x: K.mean(x, axis=1))(emb)
max_pool = Lambda(lambda x: K.max(x, axis=1))(emb)
pred = Dense(1, activation="sigmoid")(concatenate([avg_pool, max_pool]))
model = Model(words, pred)
model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(np.random.randint(0, vocab, (16, maxlen)), np.random.randint(0, 2, (16, 1)), epochs=1, verbose=0)
print(model.predict(np.random.randint(0, vocab, (2, maxlen)), verbose=0).ravel())
