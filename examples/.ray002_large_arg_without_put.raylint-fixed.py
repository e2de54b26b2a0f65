"""RAY002 large-arg-without-put: the same 256 MiB array is passed by value to every task.

Ray copies the array into the object store once per call (20 copies, 5 GiB in all, spilled to disk
once the store is full); `data_ref = ray.put(data)` before the loop, passing `data_ref`, stores it once.
"""

import numpy as np
import ray

ROWS = 4096
COLS = 8192  # 4096 x 8192 float64 = 256 MiB
NUM_CALLS = 20


@ray.remote(num_cpus=1)
def scaled_total(data, scale):
    return float(data.sum()) * scale


def main():
    ray.init()
    data = np.ones((ROWS, COLS))
    refs = []
    data_ref = ray.put(data)
    for scale in range(NUM_CALLS):
        refs.append(scaled_total.remote(data_ref, scale))
    return sum(ray.get(refs))


if __name__ == "__main__":
    print(main())
