import numpy as np
import ray


@ray.remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


def inside_try(cols):
    matrix = np.random.rand(1000, 1000)
    try:
        matrix_ref = ray.put(matrix)
        # every call site is in the `try`: so is the put
        return ray.get([column_mean.remote(matrix_ref, c) for c in cols])
    except ray.exceptions.RayError:
        return []


def body_and_handler(cols):
    matrix = np.random.rand(1000, 1000)
    # the put goes before the `try`: if it failed, the handler would no longer catch it (unsafe)
    try:
        first = column_mean.remote(matrix, 0)
    except TypeError:
        first = column_mean.remote(matrix, 1)
    return ray.get(first)
