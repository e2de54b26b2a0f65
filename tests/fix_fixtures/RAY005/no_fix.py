import io
import pickle

import numpy as np
import pandas as pd
import ray


@ray.remote
def total(chunk):
    return chunk.sum()


@ray.remote
def pair(a, b):
    return a.sum() + b.sum()


@ray.remote
class Holder:
    def __init__(self, data):
        self.data = data


if __name__ == "__main__":
    ray.init()

    # still used on the driver: the driver may change it before the tasks see it
    values = np.load("data/values.npy")
    values -= values.mean()
    centred = total.remote(values[:1000])

    # a pickle file handle cannot go to a task
    with open("data/model.pkl", "rb") as fh:
        model = pickle.load(fh)
    model_ref = ray.put(model)

    # pandas frames passed to tasks: no per-task reader that is clearly the same
    frame = pd.read_csv("data/frame.csv")
    frame_sum = total.remote(frame)

    # an actor constructor
    weights = np.load("data/weights.npy")
    holder = Holder.remote(weights)

    # two slices in one call
    grid = np.load("data/grid.npy")
    both = pair.remote(grid[:10], grid[10:20])

    # a slice with a step
    strided = np.load("data/strided.npy")
    every_other = total.remote(strided[::2])

    # put once per iteration of a loop, loaded once before it
    table = pd.read_parquet("s3://lake/table/")
    for _ in range(3):
        table_ref = ray.put(table)

    print(ray.get([centred, frame_sum, both, every_other]), model_ref, holder, table_ref)


def from_memory(blob):
    # an in-memory buffer cannot be sent to a task
    buffered = np.load(io.BytesIO(blob))
    return total.remote(buffered[:10])


def from_handle():
    # neither can an open file
    with open("data/frame.csv") as handle:
        frame_ref = ray.put(pd.read_csv(handle))
    return frame_ref
