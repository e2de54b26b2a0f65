"""DOC007: a task asking for 2 GPUs waits while the cluster's one GPU is idle; runs until killed."""

import time

import ray


@ray.remote(num_gpus=2)
def train():
    return 1


ray.init()
ref = train.remote()
print("submitted", flush=True)
time.sleep(600)
