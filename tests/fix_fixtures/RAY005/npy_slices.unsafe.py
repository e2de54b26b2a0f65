import os

import numpy as np
import ray

NUM_VALUES = 1_000_000
CHUNK = NUM_VALUES // 8
DATA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "values.npy")


@ray.remote(num_cpus=1)
def chunk_sum(path, start, stop):
    """Sum of one slice."""
    chunk = np.load(path, mmap_mode="r")[start:stop]
    return int(chunk.sum())


def main():
    ray.init()
    refs = [chunk_sum.remote(DATA_PATH, start, start + CHUNK) for start in range(0, NUM_VALUES, CHUNK)]
    return sum(ray.get(refs))


if __name__ == "__main__":
    print(main())
