import numpy as np
import ray as r


@r.remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


def aliased(cols):
    matrix = np.random.rand(1000, 1000)
    return r.get([column_mean.remote(matrix, c) for c in cols])


def name_taken(cols):
    matrix_ref = None
    matrix = np.random.rand(1000, 1000)
    # `matrix_ref` is taken: the ref gets the next free name
    return r.get([column_mean.remote(matrix, c) for c in cols]), matrix_ref
