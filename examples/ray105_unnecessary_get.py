"""RAY105 unnecessary-get: a task's 64 MiB result is fetched to the driver only to be passed to more tasks.

`ray.get` waits for the array, copies it into the driver, and every `split_norm.remote(matrix, part)`
then stores it in the object store again (4 uploads of 64 MiB); passing `matrix_ref`, the ref
`make_matrix.remote(SEED)` returns, lets each task read the one copy the producer stored.
"""

import numpy as np
import ray

ROWS = 2048
COLS = 4096  # 2048 x 4096 float64 = 64 MiB
NUM_PARTS = 4
SEED = 7


@ray.remote(num_cpus=1)
def make_matrix(seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((ROWS, COLS))


@ray.remote(num_cpus=1)
def split_norm(matrix, part):
    return float(np.abs(matrix[part::NUM_PARTS]).sum())


def main():
    ray.init()
    matrix = ray.get(make_matrix.remote(SEED))
    refs = [split_norm.remote(matrix, part) for part in range(NUM_PARTS)]
    return round(sum(ray.get(refs)), 3)


if __name__ == "__main__":
    print(main())
