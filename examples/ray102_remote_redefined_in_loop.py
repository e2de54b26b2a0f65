"""RAY102 remote-redefined-in-loop: a remote function defined anew in every iteration of a loop.

Each iteration runs the `@ray.remote` definition again, so Ray pickles and exports 20 copies of
`partial_sum` and workers download each one; defined once at module level, it is exported once.
"""

import ray

NUM_BATCHES = 20
BATCH_SIZE = 100_000


def main():
    ray.init()
    refs = []
    for batch in range(NUM_BATCHES):
        @ray.remote(num_cpus=1)
        def partial_sum(start, size):
            return sum(range(start, start + size))

        refs.append(partial_sum.remote(batch * BATCH_SIZE, BATCH_SIZE))
    return sum(ray.get(refs))


if __name__ == "__main__":
    print(main())
