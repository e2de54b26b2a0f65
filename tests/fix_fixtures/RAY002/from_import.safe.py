import numpy as np
from ray import get, put, remote


@remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


def bare_put(cols):
    matrix = np.random.rand(1000, 1000)
    matrix_ref = put(matrix)
    return get([column_mean.remote(matrix_ref, c) for c in cols])
