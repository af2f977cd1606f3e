"""Two layers side by side: uses both a node accessor and a backend function."""
from keras import backend as K
from keras.models import Model

from common import load_fixed_weights, sample_images, save_activations
from models import small_cnn

model = load_fixed_weights(small_cnn())
pool_model = Model(model.input, model.get_layer("pool1").get_output_at(0))
pooled = pool_model.predict(sample_images())
fetch = K.function([model.input], [model.get_layer("predictions").output])
probs = fetch([sample_images()])[0]
save_activations("compare_layers", probs)
print(pooled.shape, probs.shape)
