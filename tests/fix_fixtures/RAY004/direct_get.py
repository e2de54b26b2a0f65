import math

import numpy as np
import ray

N = 20_000


@ray.remote
def root(x):
    return math.sqrt(x)


@ray.remote(max_retries=2)
def scale(x, factor, offset=0):
    y = x * factor
    return y + offset


if __name__ == "__main__":
    ray.init()
    ids = list(range(N))

    # the refs go straight to ray.get; `ids` is already a list
    roots = ray.get([root.options(num_cpus=0.5).remote(i) for i in ids])

    # arguments that are the same for every element travel once per chunk
    points = np.arange(50_000)
    factor = 0.5
    print(sum(ray.get([scale.remote(p, factor, offset=1) for p in points])), len(roots))
