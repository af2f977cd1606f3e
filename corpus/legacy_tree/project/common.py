"""Helpers used by every script: deterministic data, weights, and saving activations."""
import os

import numpy as np

from config import BATCH, IMAGE_SIZE, OUTPUT_DIR


def sample_images(seed=0):
    rng = np.random.RandomState(seed)
    return rng.rand(BATCH, IMAGE_SIZE, IMAGE_SIZE, 1).astype("float32")


def load_fixed_weights(model, seed=1):
    """Same weights every run, so activations can be compared across versions."""
    rng = np.random.RandomState(seed)
    model.set_weights([rng.uniform(-0.5, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    return model


def save_activations(name, values):
    if not os.path.isdir(OUTPUT_DIR):
        os.makedirs(OUTPUT_DIR)
    np.save(os.path.join(OUTPUT_DIR, name + ".npy"), np.asarray(values))
