import numpy as np
from tensorflow.keras.layers import Dense, Dropout
from tensorflow.keras.models import Sequential
from tensorflow.keras import Input


class ChurnTrainer:
    def __init__(self, hidden=12):
        self.model = Sequential([Input(shape=(6,)), Dense(hidden, activation="relu"), Dropout(0.2), Dense(1, activation="sigmoid")])
        self.model.compile(optimizer="rmsprop", loss="binary_crossentropy")

    def describe(self):
        self.model.summary()
        return self.model.count_params()

    def train(self, x, y):
        return self.model.fit(x, y, epochs=1, batch_size=8, verbose=0)


customers = np.random.rand(40, 6).astype("float32")
churned = (customers[:, :1] > 0.5).astype("float32")
trainer = ChurnTrainer()
print("parameters:", trainer.describe())
trainer.train(customers, churned)
