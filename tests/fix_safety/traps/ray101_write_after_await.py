"""RAY101 trap: the coroutine records each result in the actor after the get. Blocking, the calls run
one after another, in arrival order; with an `await` they record in the order their tasks finish."""
import time

import ray


@ray.remote(num_cpus=1)
def slow_echo(x):
    time.sleep(0.2 * (2 - x))
    return x


@ray.remote(num_cpus=0)
class Journal:
    def __init__(self):
        self.entries = []

    async def record(self, x):
        value = ray.get(slow_echo.remote(x))
        self.entries.append(value)

    async def read(self):
        return self.entries


def main():
    ray.init()
    journal = Journal.remote()
    ray.get([journal.record.remote(x) for x in range(3)])
    print(ray.get(journal.read.remote()))


if __name__ == "__main__":
    main()
