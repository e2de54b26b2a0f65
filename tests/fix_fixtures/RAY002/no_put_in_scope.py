import numpy as np
from ray import get, remote


@remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


def no_spelling_of_put(cols):
    matrix = np.random.rand(1000, 1000)
    # neither `ray` nor `put` is bound here: no fix (no import is added)
    return get([column_mean.remote(matrix, c) for c in cols])
