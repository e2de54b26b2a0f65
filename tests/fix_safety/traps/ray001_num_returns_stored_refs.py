"""RAY001 trap: the refs of a `num_returns=2` task kept in a list, then fetched one pair at a time."""
import ray


@ray.remote(num_cpus=1, num_returns=2)
def divmod_task(a, b):
    return divmod(a, b)


def main():
    ray.init()
    pending = [divmod_task.remote(n, 3) for n in (7, 8, 9)]
    print([ray.get(refs) for refs in pending])


if __name__ == "__main__":
    main()
