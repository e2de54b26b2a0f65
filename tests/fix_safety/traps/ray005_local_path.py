"""RAY005 trap: the driver loads a local file and ships slices of it to tasks. Passing the path instead
reads the file where the task runs, which is only the same file when every node sees the driver's disk:
the fix is unsafe, never applied as safe."""
import os
import tempfile

import numpy as np
import ray


@ray.remote(num_cpus=1)
def chunk_sum(chunk):
    return int(chunk.sum())


def main():
    ray.init()
    path = os.path.join(tempfile.mkdtemp(), "values.npy")
    np.save(path, np.arange(4000, dtype=np.int64))
    values = np.load(path)
    refs = [chunk_sum.remote(values[start:start + 1000]) for start in range(0, 4000, 1000)]
    print(ray.get(refs))


if __name__ == "__main__":
    main()
