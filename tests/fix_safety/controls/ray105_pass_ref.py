"""RAY105 control: a value fetched only to be passed to the next task, which the driver then waits for."""
import ray

# fix-safety: expect RAY105


@ray.remote(num_cpus=1)
def load(n):
    return list(range(n))


@ray.remote(num_cpus=1)
def total(values):
    return sum(values)


def pipeline(n):
    values = ray.get(load.remote(n))
    ref = total.remote(values)
    return ray.get(ref)


def main():
    ray.init()
    print([pipeline(n) for n in (3, 5, 8)])


if __name__ == "__main__":
    main()
