import numpy as np


class DataLoader():
    """Paired image domains; a fixed random set stands in for the folders of images."""
    def __init__(self, dataset_name, img_res=(16, 16)):
        self.dataset_name = dataset_name
        self.img_res = img_res
        rng = np.random.RandomState(0)
        self.domain_A = rng.uniform(-1, 1, (32,) + img_res + (3,)).astype("float32")
        self.domain_B = rng.uniform(-1, 1, (32,) + img_res + (3,)).astype("float32")

    def load_batch(self, batch_size=1):
        self.n_batches = int(len(self.domain_A) / batch_size)
        for i in range(self.n_batches):
            yield (self.domain_A[i * batch_size:(i + 1) * batch_size],
                   self.domain_B[i * batch_size:(i + 1) * batch_size])

    def load_data(self, batch_size=1):
        idx = np.random.choice(len(self.domain_A), size=batch_size)
        return self.domain_A[idx]
