import numpy as np
import ray


@ray.remote(num_cpus=1)
def direct(x):
    return x * 2


@ray.remote(num_cpus=1)
def shards(data, n):
    # a list of refs: a caller cannot get it without fetching it, no fix
    return [ray.put(shard) for shard in np.array_split(data, n)]


@ray.remote(num_cpus=1)
def pair(a, b):
    return ray.put(a), {"b": ray.put(b)}


@ray.remote(num_cpus=1)
def conditional(x, flag):
    # None on some paths: no fix
    return ray.put(x if flag else -x) if x else None


@ray.remote(num_cpus=1)
def branches(x, flag):
    if flag:
        return (x if x else -x)
    return -x


@ray.remote(num_cpus=1, num_returns="streaming")
def streamed(parts):
    for p in parts:
        yield ray.put(p)


@ray.remote(num_cpus=1)
def through_a_name(x):
    # the ref travels through a name: no fix
    ref = ray.put(x)
    return ref


@ray.remote(num_cpus=1)
def kept(x):
    # a caller keeps the outer ref: not every caller is seen to fetch the inner one, no fix
    return ray.put(x)


@ray.remote(num_cpus=1)
def consume(block):
    return block.sum()


if __name__ == "__main__":
    inner = direct.remote(np.ones(4))
    by_ref = {direct.remote(i): i for i in range(3)}
    blocks = [direct.remote(i) for i in range(3)]
    listed = [branches.remote(1, True), branches.remote(2, False)]
    print(ray.get(consume.remote(inner)), ray.get(list(by_ref)), ray.get(blocks), ray.get(listed))
    outer = kept.remote(5)
    print(ray.get(ray.get(outer)))
    print(ray.get(ray.get(shards.remote(np.ones(4), 2))))
