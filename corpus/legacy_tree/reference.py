"""Reference activations for the legacy tree, computed with Keras 3 directly from the same
models and weights the scripts use. Usage: python reference.py PROJECT_DIR OUT_DIR"""
import os
import sys

project, out = sys.argv[1], sys.argv[2]
sys.path.insert(0, project)
os.chdir(project)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from common import load_fixed_weights, sample_images  # noqa: E402
from models import small_cnn  # noqa: E402

model = load_fixed_weights(small_cnn())
images = sample_images()


def layer(name):
    return keras.Model(model.inputs, model.get_layer(name).output).predict(images, verbose=0)


predictions = model.predict(images, verbose=0)
expected = {
    "extract_dense_features": layer("fc1"),
    "extract_conv_features": layer("conv2"),
    "visualize_filters": layer("conv1"),
    "layer_shapes": predictions,
    "compare_layers": predictions,
    "session_probe": predictions,
    "lr_schedule": predictions,
    "correct_extract": layer("fc1"),
}
os.makedirs(out, exist_ok=True)
for name, values in expected.items():
    np.save(os.path.join(out, name + ".npy"), values)
