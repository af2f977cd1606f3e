"""Text 'visualisation' of the first conv layer's mean activation per filter."""
import numpy as np
from keras.models import Model

from common import load_fixed_weights, sample_images, save_activations
from models import small_cnn

model = load_fixed_weights(small_cnn())
conv1 = model.get_layer("conv1")
viewer = Model(inputs=model.input, outputs=conv1.get_output_at(0))
maps = viewer.predict(sample_images())
save_activations("visualize_filters", maps)
for f in range(maps.shape[-1]):
    level = float(np.mean(maps[..., f]))
    print("filter %d %s" % (f, "#" * int(level * 40)))
