import numpy as np
import ray


@ray.remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


def one_line():
    matrix = np.random.rand(1000, 1000); a = column_mean.remote(matrix, 0); b = column_mean.remote(matrix, 1)
    return ray.get([a, b])


def elif_and_else(flag):
    matrix = np.random.rand(1000, 1000)
    # the sites share only the `elif`, which is no statement of a block: nowhere to insert the put
    if flag == 0:
        return None
    elif flag == 1:
        first = column_mean.remote(matrix, 0)
    else:
        first = column_mean.remote(matrix, 1)
    return ray.get(first)


def shadowed(ray, cols):
    matrix = np.random.rand(1000, 1000)
    # `ray` is a parameter here, not the module
    return [column_mean.remote(matrix, c) for c in cols]


class Precomputed:
    matrix = np.random.rand(1000, 1000)
    # class bodies get no statement inserted
    first = column_mean.remote(matrix, 0)
    second = column_mean.remote(matrix, 1)
