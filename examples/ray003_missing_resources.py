"""RAY003 missing-resources: a remote function that declares no resources.

`fetch` only waits (it stands for network I/O), yet by default each call holds a whole CPU, so at
most two run at once on a 2-CPU machine. raylint's fix writes the default, `num_cpus=1`, explicitly;
for I/O-bound work like this a fraction such as `num_cpus=0.25` is what makes it faster.
"""

import time

import ray

NUM_TASKS = 200
IO_SECONDS = 0.1


@ray.remote
def fetch(i):
    time.sleep(IO_SECONDS)
    return i * i


def main():
    ray.init()
    refs = [fetch.remote(i) for i in range(NUM_TASKS)]
    return sum(ray.get(refs))


if __name__ == "__main__":
    print(main())
