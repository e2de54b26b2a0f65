"""RAY002 control: a large array passed by value to every task and never changed."""
import numpy as np
import ray

# fix-safety: expect RAY002


@ray.remote(num_cpus=1)
def column_sum(data, j):
    return float(data[:, j].sum())


def main():
    ray.init()
    data = np.arange(400_000, dtype=np.float64).reshape(100_000, 4)
    sums = ray.get([column_sum.remote(data, j) for j in range(4)])
    print(sums)


if __name__ == "__main__":
    main()
