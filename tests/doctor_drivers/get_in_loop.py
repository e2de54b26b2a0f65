"""DOC002: submit one 50 ms task, wait for it, submit the next."""

import time

import ray


@ray.remote
def step(x):
    time.sleep(0.05)
    return x


ray.init()
total = 0
for i in range(25):
    total += ray.get(step.remote(i))
print(total)
time.sleep(2)
