import math

import numpy as np
import ray

N = 20_000


def root(x):
    return math.sqrt(x)


# Elements per `root_batch` task: a judgement; aim for 10-100 ms of work per task.
ROOT_CHUNK_SIZE = 10_000


@ray.remote
def root_batch(chunk):
    return [root(x) for x in chunk]


def scale(x, factor, offset=0):
    y = x * factor
    return y + offset


# Elements per `scale_batch` task: a judgement; aim for 10-100 ms of work per task.
SCALE_CHUNK_SIZE = 10_000


@ray.remote(max_retries=2)
def scale_batch(chunk, *args, **kwargs):
    return [scale(x, *args, **kwargs) for x in chunk]


if __name__ == "__main__":
    ray.init()
    ids = list(range(N))

    # the refs go straight to ray.get; `ids` is already a list
    root_refs = [
        root_batch.options(num_cpus=0.5).remote(ids[start:start + ROOT_CHUNK_SIZE])
        for start in range(0, len(ids), ROOT_CHUNK_SIZE)
    ]
    roots = [result for chunk in ray.get(root_refs) for result in chunk]

    # arguments that are the same for every element travel once per chunk
    points = np.arange(50_000)
    factor = 0.5
    scale_inputs = list(points)
    scale_refs = [
        scale_batch.remote(scale_inputs[start:start + SCALE_CHUNK_SIZE], factor, offset=1)
        for start in range(0, len(scale_inputs), SCALE_CHUNK_SIZE)
    ]
    print(sum([result for chunk in ray.get(scale_refs) for result in chunk]), len(roots))
