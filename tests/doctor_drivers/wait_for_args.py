"""DOC004: a task whose argument is the result of a 4 s task waits for it."""

import time

import ray


@ray.remote(num_cpus=0)
def slow():
    time.sleep(4)
    return 1


@ray.remote(num_cpus=0)
def consume(x):
    return x + 1


ray.init()
print(ray.get(consume.remote(slow.remote())))
time.sleep(2)
