"""Loaded on the driver only to be put in the object store."""

import os

import pandas as pd
import ray
import torch
from numpy import load


@ray.remote
def summarize(frame):
    return frame.describe()


@ray.remote(num_cpus=1)
def pd_read_parquet_task(*args, **kwargs):
    return pd.read_parquet(*args, **kwargs)


@ray.remote(num_cpus=1)
def load_task(*args, **kwargs):
    return load(*args, **kwargs)


@ray.remote(num_cpus=1)
def torch_load_task(*args, **kwargs):
    return torch.load(*args, **kwargs)


ray.init()

# a remote URI: every worker reads the same object, so a loader task is safe
events_ref = pd_read_parquet_task.remote("s3://lake/events/2024/", columns=["user", "ts"])

# a local, relative path: made absolute, but it must exist where the task runs
matrix_ref = load_task.remote(os.path.abspath("data/matrix.npy"))

checkpoint_ref = torch_load_task.remote("/checkpoints/model.pt", map_location="cpu")

print(ray.get(summarize.remote(events_ref)), matrix_ref, checkpoint_ref)
