"""Time series regression from a CSV read off a URL with numpy."""
import keras
import numpy as np

table = np.loadtxt("https://data.example.org/temperatures.csv", delimiter=",", skiprows=1)
series = table[:, 0].astype("float32")
window = 12
x = np.stack([series[i:i + window] for i in range(len(series) - window)])[..., None]
y = series[window:]

model = keras.Sequential([keras.Input((window, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
model.compile("adam", "mse")
model.fit(x, y, epochs=50, batch_size=16, validation_split=0.2)
forecast = model.predict(x[-1:])
state_model = keras.Model(model.inputs, model.layers[0].output)
print("last state:", state_model.predict(x[-1:])[0])
