import numpy as np
import ray


@ray.remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


def init_then_loop(cols):
    matrix = np.random.rand(1000, 1000)
    ray.init(num_cpus=2)
    # the put goes after `ray.init`, which comes after the binding
    return ray.get([column_mean.remote(matrix, c) for c in cols])


def loop_then_init(cols):
    matrix = np.random.rand(1000, 1000)
    first = ray.get([column_mean.remote(matrix, c) for c in cols])
    # a call site before `ray.init`: no place satisfies both, so no fix
    ray.init(ignore_reinit_error=True)
    return first


def shutdown_between(cols):
    matrix = np.random.rand(1000, 1000)
    first = column_mean.remote(matrix, 0)
    print(ray.get(first))
    # a ref put before `ray.shutdown` would be gone after it: no fix
    ray.shutdown()
    return ray.get(column_mean.remote(matrix, 1))
