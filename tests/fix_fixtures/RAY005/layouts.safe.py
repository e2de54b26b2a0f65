"""Layouts a fix's plan must judge exactly as the builder does (tests/test_lazy_fixes.py)."""

import numpy as np
import ray


@ray.remote
def total(chunk): return int(chunk.sum())


def one_line_task():
    values = np.load("/data/values.npy")
    return ray.get([total.remote(values[s:s + 10]) for s in range(0, 100, 10)])


def os_is_taken(os):
    # a relative path needs `os.path.abspath`, but `os` is a parameter here
    return ray.put(np.load("data/matrix.npy")), os


@ray.remote(num_cpus=1)
def np_load_task(*args, **kwargs):
    return np.load(*args, **kwargs)


def parenthesised_loader():
    return np_load_task.remote("s3://bucket/matrix.npy")
