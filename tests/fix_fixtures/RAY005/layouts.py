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


def parenthesised_loader():
    return ray.put((np.load)("s3://bucket/matrix.npy"))
