import numpy as np
import ray


@ray.remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


def normalise(matrix):
    matrix /= matrix.max()


def fill_between_calls(cols):
    matrix = np.random.rand(1000, 1000)
    refs = []
    matrix_ref = ray.put(matrix)
    for c in cols:
        refs.append(column_mean.remote(matrix_ref, c))
        # written in place after each call: the tasks saw different values, so the fix is unsafe
        matrix.fill(float(c))
    return ray.get(refs)


def out_argument_between_sites():
    matrix = np.random.rand(1000, 1000)
    matrix_ref = ray.put(matrix)
    before = column_mean.remote(matrix_ref, 0)
    np.multiply(matrix, 2.0, out=matrix)
    after = column_mean.remote(matrix_ref, 0)
    return ray.get([before, after])


def handed_to_unknown_code(cols):
    matrix = np.random.rand(1000, 1000)
    matrix_ref = ray.put(matrix)
    refs = [column_mean.remote(matrix_ref, c) for c in cols]
    # `normalise` may change it in place
    normalise(matrix)
    refs += [column_mean.remote(matrix_ref, c) for c in cols]
    return ray.get(refs)


def only_read_between_sites(cols):
    matrix = np.random.rand(1000, 1000)
    matrix_ref = ray.put(matrix)
    refs = [column_mean.remote(matrix_ref, c) for c in cols]
    print(matrix.shape, len(matrix), np.mean(matrix))
    refs += [column_mean.remote(matrix_ref, c) for c in cols]
    return ray.get(refs)


SHARED = np.zeros((1000, 1000))


def reset():
    SHARED[:] = 0.0


def uses_a_global_another_function_writes(cols):
    shared_ref = ray.put(SHARED)
    # `reset` writes into SHARED: it may run between the calls, so the fix is unsafe
    return ray.get([column_mean.remote(shared_ref, c) for c in cols])
