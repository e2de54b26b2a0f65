import numpy as np
import ray


@ray.remote(num_cpus=1)
def direct(x):
    return x * 2


@ray.remote(num_cpus=1)
def shards(data, n):
    return [shard for shard in np.array_split(data, n)]


@ray.remote(num_cpus=1)
def pair(a, b):
    return a, {"b": b}


@ray.remote(num_cpus=1)
def conditional(x, flag):
    return (x if flag else -x) if x else None


@ray.remote(num_cpus=1, num_returns="streaming")
def streamed(parts):
    for p in parts:
        yield p


@ray.remote(num_cpus=1)
def through_a_name(x):
    # the ref travels through a name: no fix
    ref = ray.put(x)
    return ref
