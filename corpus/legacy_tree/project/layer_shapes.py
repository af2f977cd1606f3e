"""Print a shape table, the way we documented models in 2019."""
import numpy as np

from common import load_fixed_weights, sample_images, save_activations
from models import small_cnn

model = load_fixed_weights(small_cnn())
rows = []
for layer in model.layers[1:]:
    rows.append((layer.name, layer.get_input_shape_at(0), layer.get_output_shape_at(0)))
for name, shape_in, shape_out in rows:
    print("%-12s %-20s -> %s" % (name, shape_in, shape_out))
save_activations("layer_shapes", model.predict(sample_images()))
