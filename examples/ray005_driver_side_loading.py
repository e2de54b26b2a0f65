"""RAY005 driver-side-loading: the driver loads a whole data file and ships slices of it to tasks.

Every byte goes through the driver's memory and then into the object store; passing the path and
slice bounds, so that each task loads its own slice (`np.load(path, mmap_mode="r")[a:b]`), avoids that.
The program writes its data file next to itself on first run.
"""

import os

import numpy as np
import ray

NUM_VALUES = 50_000_000  # int64: about 380 MiB on disk
NUM_CHUNKS = 8
CHUNK = NUM_VALUES // NUM_CHUNKS
DATA_DIR = os.path.dirname(os.path.abspath(__file__))
DATA_PATH = os.path.join(DATA_DIR, "ray005_values.npy")


@ray.remote(num_cpus=1)
def chunk_sum(chunk):
    return int(chunk.sum())


def write_data_file():
    """Create the data file once, atomically, so a half-written file is never read."""
    if os.path.exists(DATA_PATH):
        return
    tmp_path = os.path.join(DATA_DIR, f"ray005_values.{os.getpid()}.tmp.npy")
    with open(tmp_path, "wb") as fh:
        np.save(fh, np.arange(NUM_VALUES, dtype=np.int64))
    os.replace(tmp_path, DATA_PATH)


def main():
    ray.init()
    write_data_file()
    values = np.load(DATA_PATH)
    refs = [chunk_sum.remote(values[start:start + CHUNK]) for start in range(0, NUM_VALUES, CHUNK)]
    return sum(ray.get(refs))


if __name__ == "__main__":
    print(main())
