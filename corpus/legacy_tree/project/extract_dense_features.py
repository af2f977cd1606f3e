"""Dump the fc1 features for a batch of images."""
from keras import backend as K

from common import load_fixed_weights, sample_images, save_activations
from models import small_cnn

model = load_fixed_weights(small_cnn())
get_fc1 = K.function([model.input], [model.get_layer("fc1").output])
features = get_fc1([sample_images()])[0]
save_activations("extract_dense_features", features)
print("fc1 features:", features.shape)
