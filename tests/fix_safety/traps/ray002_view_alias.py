"""RAY002 trap: a numpy view of the array is changed between submissions."""
import numpy as np
import ray


@ray.remote(num_cpus=1)
def total(data, i):
    return float(data.sum()) + i


def main():
    ray.init()
    data = np.zeros((2, 100_000))
    view = data[0]
    refs = []
    for i in range(3):
        refs.append(total.remote(data, i))
        view += 1
    print(ray.get(refs))


if __name__ == "__main__":
    main()
