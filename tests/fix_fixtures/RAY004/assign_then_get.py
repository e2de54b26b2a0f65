import ray

NUM_TASKS = 20_000


@ray.remote(num_cpus=1)
def double(x):
    """Twice the input."""
    return x * 2


def main():
    ray.init()
    # one task per element: each costs ~1 ms of overhead for a multiplication
    refs = [double.remote(i) for i in range(NUM_TASKS)]
    return sum(ray.get(refs))


if __name__ == "__main__":
    print(main())
