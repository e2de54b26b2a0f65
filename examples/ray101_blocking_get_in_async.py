"""RAY101 blocking-get-in-async: an async actor method blocks its event loop in `ray.get`.

`Gateway.handle` is an `async def`, so the actor runs its calls concurrently on one event loop. The
`ray.get` in it blocks that loop until the task's result is ready, so the gateway serves one request at
a time; `await ref` would suspend only the calling coroutine and let the other requests proceed.
"""

import time

import ray

NUM_REQUESTS = 8
TASK_SECONDS = 0.25


@ray.remote(num_cpus=1)
def predict(x):
    time.sleep(TASK_SECONDS)
    return x * x


# The gateway only waits on tasks: it holds no CPU, so the tasks it submits can run even on a cluster
# with a single CPU (with `num_cpus=1` the blocking version would deadlock there).
@ray.remote(num_cpus=0)
class Gateway:
    async def handle(self, x):
        ref = predict.remote(x)
        return ray.get(ref)


def main():
    ray.init()
    gateway = Gateway.remote()
    return sum(ray.get([gateway.handle.remote(x) for x in range(NUM_REQUESTS)]))


if __name__ == "__main__":
    print(main())
