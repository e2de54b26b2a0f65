import numpy as np
import ray


@ray.remote
def row_sum(matrix, row):
    return float(matrix[row].sum())


MATRIX = np.random.rand(1000, 1000)
ray.init(num_cpus=2)  # a put before this line would start Ray by itself

# one task per row
refs = [row_sum.remote(MATRIX, r) for r in range(8)]
print(sum(ray.get(refs)))
