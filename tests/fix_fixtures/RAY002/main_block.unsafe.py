import numpy as np
import ray


@ray.remote
def row_sum(matrix, row):
    return float(matrix[row].sum())


if __name__ == "__main__":
    matrix = np.random.rand(1000, 1000)
    if not ray.is_initialized():
        ray.init()
    refs = []
    matrix_ref = ray.put(matrix)
    for r in range(8):
        refs.append(row_sum.remote(matrix_ref, r))
    print(sum(ray.get(refs)))
