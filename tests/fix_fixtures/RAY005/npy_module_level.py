import numpy as np
import ray

PATH = "data/x.npy"
values = np.load(PATH)


@ray.remote
def part(chunk, start):
    return chunk.sum() + start


def run(path):
    other = np.load(path)
    return ray.get([part.remote(other[i:i + 10], i) for i in range(0, 100, 10)])


def go():
    return ray.get([part.remote(values[s:], s) for s in range(0, 100, 10)])


pickled = np.load("data/obj.npy", allow_pickle=True)
ray.get(part.remote(pickled, 0))
