"""RAY001 ray-get-in-loop: each task is submitted and then waited for before the next one starts.

`ray.get(work.remote(x))` inside the comprehension makes the 200 tasks run one after another;
`ray.get([work.remote(x) for x in range(NUM_TASKS)])` would let them run in parallel.
"""

import time

import ray

NUM_TASKS = 200
TASK_SECONDS = 0.03


@ray.remote(num_cpus=1)
def work(x):
    time.sleep(TASK_SECONDS)
    return x * x


def main():
    ray.init()
    results = [ray.get(work.remote(x)) for x in range(NUM_TASKS)]
    return sum(results)


if __name__ == "__main__":
    print(main())
