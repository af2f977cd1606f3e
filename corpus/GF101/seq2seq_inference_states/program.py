"""Character-level translator (GRU encoder-decoder): trained with teacher forcing, then decoded
step by step by separate inference models that share the trained layers."""
import numpy as np
import keras
from keras import layers

SRC_CHARS, TGT_CHARS, UNITS = 7, 6, 10


def build_training():
    src = keras.Input(shape=(None, SRC_CHARS), name="src")
    tgt = keras.Input(shape=(None, TGT_CHARS), name="tgt")
    _, context = layers.GRU(UNITS, return_state=True, name="encoder_gru")(src)
    decoder_gru = layers.GRU(UNITS, return_sequences=True, return_state=True, name="decoder_gru")
    projection = layers.Dense(TGT_CHARS, activation="softmax", name="projection")
    steps, _ = decoder_gru(tgt, initial_state=context)
    trainer = keras.Model([src, tgt], projection(steps))
    return trainer, src, tgt, context, decoder_gru, projection


def build_inference(src, tgt, context, decoder_gru, projection):
    encoder = keras.Model(src, context)
    carried = keras.Input(shape=(UNITS,), name="carried_state")
    steps, new_state = decoder_gru(tgt, initial_state=carried)
    stepper = keras.Model(tgt, [projection(steps), new_state])
    return encoder, stepper


def greedy_decode(encoder, stepper, source, length=4):
    states = [encoder.predict(source, verbose=0)]
    token = np.zeros((1, 1, TGT_CHARS), dtype="float32")
    decoded = []
    for _ in range(length):
        probs, state = stepper.predict([token] + states, verbose=0)
        states = [state]
        index = int(probs[0, -1].argmax())
        decoded.append(index)
        token = np.eye(TGT_CHARS, dtype="float32")[index][None, None]
    return decoded


if __name__ == "__main__":
    trainer, src, tgt, context, decoder_gru, projection = build_training()
    trainer.compile(optimizer="adam", loss="categorical_crossentropy")
    x_src = np.random.rand(16, 5, SRC_CHARS).astype("float32")
    x_tgt = np.eye(TGT_CHARS, dtype="float32")[np.random.randint(0, TGT_CHARS, (16, 4))]
    trainer.fit([x_src, x_tgt], x_tgt, epochs=1, batch_size=8, verbose=0)
    encoder, stepper = build_inference(src, tgt, context, decoder_gru, projection)
    print(greedy_decode(encoder, stepper, x_src[:1]))
