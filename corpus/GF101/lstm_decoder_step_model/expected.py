import numpy as np
from tensorflow import keras

VOCAB_IN, VOCAB_OUT, HIDDEN = 9, 7, 12

# training graph: question encoder, answer decoder
question = keras.Input(shape=(None, VOCAB_IN))
_, q_h, q_c = keras.layers.LSTM(HIDDEN, return_state=True)(question)
answer = keras.Input(shape=(None, VOCAB_OUT))
answer_lstm = keras.layers.LSTM(HIDDEN, return_sequences=True, return_state=True)
answer_head = keras.layers.Dense(VOCAB_OUT, activation="softmax")
seq, _, _ = answer_lstm(answer, initial_state=[q_h, q_c])
qa = keras.Model([question, answer], answer_head(seq))
qa.compile(optimizer="rmsprop", loss="categorical_crossentropy")

questions = np.random.rand(10, 6, VOCAB_IN).astype("float32")
answers = np.random.rand(10, 3, VOCAB_OUT).astype("float32")
qa.fit([questions, answers], answers, batch_size=5, epochs=1, verbose=0)

# step-by-step inference
question_encoder = keras.Model(question, [q_h, q_c])
h_in, c_in = keras.Input(shape=(HIDDEN,)), keras.Input(shape=(HIDDEN,))
step_seq, step_h, step_c = answer_lstm(answer, initial_state=[h_in, c_in])
answer_step = keras.Model(inputs=[answer, h_in, c_in], outputs=[answer_head(step_seq), step_h, step_c])

memory = question_encoder.predict(questions[:1], verbose=0)
token = np.zeros((1, 1, VOCAB_OUT), dtype="float32")
for _ in range(3):
    probs, h, c = answer_step.predict([token] + memory, verbose=0)
    memory = [h, c]
    token = np.zeros_like(token)
    token[0, 0, probs[0, -1].argmax()] = 1.0
print("decoded")
