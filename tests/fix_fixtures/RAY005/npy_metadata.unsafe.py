import os

import numpy
import ray


@ray.remote
def normalise(rows_path, rows_start, rows_stop, scale, start=0):
    rows = numpy.load(rows_path, mmap_mode="r")[rows_start:rows_stop]
    return rows / scale + start


@ray.remote
def describe(path):
    table = numpy.load(path, mmap_mode="r")
    return table.mean()


if __name__ == "__main__":
    ray.init()
    # a relative path: the workers do not share the driver's working directory
    features_path = os.path.abspath("data/features.npy")
    features = numpy.load(features_path, mmap_mode="r")
    step = 4096
    parts = []
    for i in range(0, len(features), step):
        parts.append(normalise.remote(scale=2.0, rows_path=features_path, rows_start=i, rows_stop=i + step))
    summary = describe.remote(features_path)
    print(features.shape, ray.get(parts), ray.get(summary))
