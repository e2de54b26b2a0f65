"""Layouts a fix's plan must judge exactly as the builder does (tests/test_lazy_fixes.py)."""

import numpy as np
import ray


@ray.remote
def column_mean(matrix, col):
    return float(matrix[:, col].mean())


def parenthesised_argument(cols):
    matrix = np.zeros((1000, 1000))
    return ray.get([column_mean.remote((matrix), c) for c in cols])


def one_line_block(cols, flag):
    matrix = np.zeros((1000, 1000))
    if flag: refs = [column_mean.remote(matrix, c) for c in cols]
    else: refs = []
    return ray.get(refs)


def joined_by_backslash(cols, flag):
    matrix = np.zeros((1000, 1000))
    if flag: \
        refs = [column_mean.remote(matrix, c) for c in cols]
    return ray.get(refs)
