"""RAY002 trap: another object keeps a reference to the array and changes it between submissions."""
import numpy as np
import ray


class Buffer:
    def __init__(self, array):
        self.array = array

    def bump(self):
        self.array += 1


@ray.remote(num_cpus=1)
def total(data, i):
    return float(data.sum()) + i


def main():
    ray.init()
    data = np.zeros(200_000)
    buffer = Buffer(data)
    refs = []
    for i in range(3):
        refs.append(total.remote(data, i))
        buffer.bump()
    print(ray.get(refs))


if __name__ == "__main__":
    main()
