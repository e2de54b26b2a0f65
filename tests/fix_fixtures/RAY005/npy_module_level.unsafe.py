import os

import numpy as np
import ray

PATH = "data/x.npy"
values_path = os.path.abspath(PATH)


@ray.remote
def part(chunk, start):
    return chunk.sum() + start


@ray.remote
def part_from_path(chunk_path, chunk_start, chunk_stop, start):
    chunk = np.load(chunk_path, mmap_mode="r")[chunk_start:chunk_stop]
    return chunk.sum() + start


def run(path):
    other_path = os.path.abspath(path)
    return ray.get([part_from_path.remote(other_path, i, i + 10, i) for i in range(0, 100, 10)])


def go():
    return ray.get([part_from_path.remote(values_path, s, None, s) for s in range(0, 100, 10)])


pickled = np.load("data/obj.npy", allow_pickle=True)
ray.get(part.remote(pickled, 0))
