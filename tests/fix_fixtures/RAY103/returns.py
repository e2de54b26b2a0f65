import numpy as np
import ray


@ray.remote(num_cpus=1)
def direct(x):
    return ray.put(x * 2)


@ray.remote(num_cpus=1)
def shards(data, n):
    return [ray.put(shard) for shard in np.array_split(data, n)]


@ray.remote(num_cpus=1)
def pair(a, b):
    return ray.put(a), {"b": ray.put(b)}


@ray.remote(num_cpus=1)
def conditional(x, flag):
    return ray.put(x if flag else -x) if x else None


@ray.remote(num_cpus=1, num_returns="streaming")
def streamed(parts):
    for p in parts:
        yield ray.put(p)


@ray.remote(num_cpus=1)
def through_a_name(x):
    # the ref travels through a name: no fix
    ref = ray.put(x)
    return ref
