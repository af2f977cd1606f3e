"""Character-level text generation with an LSTM on a text corpus fetched with get_file."""
import random

import keras
import numpy as np

path = keras.utils.get_file("corpus.txt", origin="https://texts.example.org/corpus.txt")
with open(path, encoding="utf-8") as f:
    text = f.read().lower()
print("corpus length:", len(text))

chars = sorted(set(text))
char_indices = {c: i for i, c in enumerate(chars)}
maxlen, step = 20, 7
sentences = [text[i:i + maxlen] for i in range(0, len(text) - maxlen, step)]
next_chars = [text[i + maxlen] for i in range(0, len(text) - maxlen, step)]
x = np.zeros((len(sentences), maxlen, len(chars)), dtype="bool")
y = np.zeros((len(sentences), len(chars)), dtype="bool")
for i, sentence in enumerate(sentences):
    for t, char in enumerate(sentence):
        x[i, t, char_indices[char]] = 1
    y[i, char_indices[next_chars[i]]] = 1

model = keras.Sequential([
    keras.Input((maxlen, len(chars))),
    keras.layers.LSTM(32),
    keras.layers.Dense(len(chars), activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(learning_rate=0.01))
hidden = keras.Model(model.inputs, model.layers[0].output)
print("hidden state of the first sentence:", hidden.predict(x[:1], verbose=0)[0].shape)


def sample(preds, temperature=1.0):
    preds = np.log(np.asarray(preds).astype("float64") + 1e-9) / temperature
    probas = np.exp(preds) / np.sum(np.exp(preds))
    return int(np.argmax(np.random.multinomial(1, probas, 1)))


for epoch in range(40):
    model.fit(x, y, batch_size=128, epochs=1)
    start = random.randint(0, len(text) - maxlen - 1)
    generated, sentence = "", text[start:start + maxlen]
    for _ in range(60):
        x_pred = np.zeros((1, maxlen, len(chars)))
        for t, char in enumerate(sentence):
            x_pred[0, t, char_indices[char]] = 1.0
        next_char = chars[sample(model.predict(x_pred, verbose=0)[0], 0.5)]
        sentence = sentence[1:] + next_char
        generated += next_char
    print(f"epoch {epoch}: {generated}")
