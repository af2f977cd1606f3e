"""Already written for Keras 3: must come back untouched."""
import keras

from common import load_fixed_weights, sample_images, save_activations
from models import small_cnn

model = load_fixed_weights(small_cnn())
extractor = keras.Model(model.inputs, model.get_layer("fc1").output)
save_activations("correct_extract", extractor.predict(sample_images(), verbose=0))
