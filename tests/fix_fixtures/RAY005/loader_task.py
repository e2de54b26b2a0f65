"""Loaded on the driver only to be put in the object store."""

import pandas as pd
import ray
import torch
from numpy import load


@ray.remote
def summarize(frame):
    return frame.describe()


ray.init()

# a remote URI: every worker reads the same object, so a loader task is safe
events_ref = ray.put(pd.read_parquet("s3://lake/events/2024/", columns=["user", "ts"]))

# a local, relative path: made absolute, but it must exist where the task runs
matrix_ref = ray.put(load("data/matrix.npy"))

# loaded into a name that only goes to ray.put
checkpoint = torch.load("/checkpoints/model.pt", map_location="cpu")
checkpoint_ref = ray.put(checkpoint)

print(ray.get(summarize.remote(events_ref)), matrix_ref, checkpoint_ref)
