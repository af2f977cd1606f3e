"""Step decay by hand, then the predictions of the trained model."""
import numpy as np
from keras import backend as K
from keras.optimizers import SGD

from common import load_fixed_weights, sample_images, save_activations
from models import small_cnn

model = load_fixed_weights(small_cnn())
model.compile(optimizer=SGD(learning_rate=0.0), loss="categorical_crossentropy")
for step in range(2):
    K.set_value(model.optimizer.learning_rate, 0.0 / (step + 1))
    model.train_on_batch(sample_images(), np.eye(4)[np.arange(6) % 4])
print("lr now", K.get_value(model.optimizer.learning_rate))
save_activations("lr_schedule", model.predict(sample_images()))
