"""The healthy control: a few tasks submitted together, on worker nodes only."""

import time

import ray


@ray.remote
def work(x):
    time.sleep(0.02)
    return x


ray.init()
print(sum(ray.get([work.remote(i) for i in range(10)])))
time.sleep(2)
