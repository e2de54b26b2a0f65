import numpy
import ray


@ray.remote
def normalise(rows, scale, start=0):
    return rows / scale + start


@ray.remote
def describe(table):
    return table.mean()


if __name__ == "__main__":
    ray.init()
    # a relative path: the workers do not share the driver's working directory
    features = numpy.load("data/features.npy")
    step = 4096
    parts = []
    for i in range(0, len(features), step):
        parts.append(normalise.remote(scale=2.0, rows=features[i:i + step]))
    summary = describe.remote(features)
    print(features.shape, ray.get(parts), ray.get(summary))
