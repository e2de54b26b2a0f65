import numpy as np
import ray


@ray.remote
def column_mean(matrix, col):
	return float(matrix[:, col].mean())


def indented_with_tabs(cols):
	matrix = np.random.rand(1000, 1000)
	if cols:
		return ray.get([column_mean.remote(matrix, c) for c in cols])
	return []
