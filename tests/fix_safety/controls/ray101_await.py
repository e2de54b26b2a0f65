"""RAY101 control: a coroutine that only waits for a task; awaiting the ref gives the same value."""

import ray

# fix-safety: expect RAY101


@ray.remote(num_cpus=1)
def double(x):
    return 2 * x


@ray.remote(num_cpus=0)
class Gateway:
    async def handle(self, x):
        value = ray.get(double.remote(x))
        return value + 1


def main():
    ray.init()
    gateway = Gateway.remote()
    print(ray.get([gateway.handle.remote(i) for i in range(5)]))


if __name__ == "__main__":
    main()
