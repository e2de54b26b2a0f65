"""RAY002 trap: a helper called between the submissions changes the module's array in place."""
import numpy as np
import ray

DATA = np.zeros(200_000)


def advance():
    DATA[:] += 1


@ray.remote(num_cpus=1)
def total(data, i):
    return float(data.sum()) + i


def main():
    ray.init()
    refs = []
    for i in range(3):
        refs.append(total.remote(DATA, i))
        advance()
    print(ray.get(refs))


if __name__ == "__main__":
    main()
