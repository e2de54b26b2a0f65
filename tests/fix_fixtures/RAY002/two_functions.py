import numpy as np
import ray


@ray.remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


@ray.remote
def row_sum(matrix, row):
    return float(matrix[row].sum())


MATRIX = np.random.rand(1000, 1000)


def columns(cols):
    # each function puts the module's value once per call: safe
    return ray.get([column_mean.remote(MATRIX, c) for c in cols])


def rows(indexes):
    return ray.get([row_sum.remote(MATRIX, r) for r in indexes])


def through_a_lambda(cols):
    matrix = np.random.rand(1000, 1000)
    # the call site runs in the lambda, the put in this function: unsafe
    refs = list(map(lambda c: column_mean.remote(matrix, c), cols))
    return ray.get(refs)
