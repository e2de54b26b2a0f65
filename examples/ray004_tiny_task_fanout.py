"""RAY004 tiny-task-fanout: one task per element for a function that takes microseconds.

Each of the 20,000 tasks costs about a millisecond of Ray overhead for a single multiplication;
submitting a few chunks of elements, one task per chunk, does the same work far faster.
"""

import ray

NUM_TASKS = 20_000


@ray.remote(num_cpus=1)
def double(x):
    return x * 2


def main():
    ray.init()
    refs = [double.remote(i) for i in range(NUM_TASKS)]
    return sum(ray.get(refs))


if __name__ == "__main__":
    print(main())
