"""RAY001 trap: a task with `num_returns=2` gives a list of two refs per call; batching the gets would
hand `ray.get` a list of lists."""
import ray


@ray.remote(num_cpus=1, num_returns=2)
def pair(i):
    return i, i * i


def main():
    ray.init()
    results = [ray.get(pair.remote(i)) for i in range(4)]
    print(results)


if __name__ == "__main__":
    main()
