"""Settings shared by the scripts (no TensorFlow here)."""
IMAGE_SIZE = 12
N_CLASSES = 4
BATCH = 6
OUTPUT_DIR = "outputs"
