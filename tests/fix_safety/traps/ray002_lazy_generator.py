"""RAY002 trap: the submissions sit in a lazy generator; the array is changed before the generator runs."""
import numpy as np
import ray


@ray.remote(num_cpus=1)
def work(data, i):
    return float(data.sum()) + i


def main():
    ray.init()
    data = np.ones(200_000)
    gen = (work.remote(data, i) for i in range(3))
    data.fill(5)
    print(ray.get(list(gen)))


if __name__ == "__main__":
    main()
