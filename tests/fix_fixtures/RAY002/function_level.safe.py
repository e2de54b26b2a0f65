import numpy as np
import ray


@ray.remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


@ray.remote
def row_sum(matrix, row, scale=1.0):
    return float(matrix[row].sum()) * scale


def comprehension(cols):
    matrix = np.random.rand(1000, 1000)
    matrix_ref = ray.put(matrix)
    return ray.get([column_mean.remote(matrix_ref, c) for c in cols])


def keyword_argument(rows):
    matrix = np.zeros((512, 512))

    matrix_ref = ray.put(matrix)
    # fan out one task per row; the comment stays with its statement
    refs = [row_sum.remote(matrix=matrix_ref, row=r, scale=2.0) for r in rows]
    return ray.get(refs)


def several_sites(cols):
    matrix = np.ones((1024, 256))
    matrix_ref = ray.put(matrix)
    # a warm-up call, then the loop: one put, both sites pass the ref
    first = column_mean.remote(matrix_ref, 0)
    refs = []
    for c in cols:
        refs.append(
            column_mean.remote(
                matrix_ref,  # the large value
                c,
            )
        )
    return ray.get([first] + refs)


def nested_loops(epochs, rows):
    matrix = np.random.rand(1000, 1000)
    results = []
    matrix_ref = ray.put(matrix)
    # the put goes before the outer loop: the value does not change in either
    for epoch in range(epochs):
        if epoch % 2:
            results.append(ray.get([row_sum.remote(matrix_ref, r) for r in rows]))
    return results


def bound_per_epoch(epochs, rows):
    results = []
    for epoch in range(epochs):
        # bound inside the outer loop: one put per epoch, after the binding
        matrix = np.full((1000, 1000), float(epoch))
        matrix_ref = ray.put(matrix)
        results.append(ray.get([row_sum.remote(matrix_ref, r) for r in rows]))
    return results


def mutated_before_the_put(cols):
    matrix = np.zeros((1000, 1000))
    matrix.fill(1.0)
    matrix_ref = ray.put(matrix)
    # changed before the put, never after: still safe
    return ray.get([column_mean.remote(matrix_ref, c) for c in cols])
