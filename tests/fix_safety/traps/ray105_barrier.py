"""RAY105 trap: the get is also a barrier: the producer writes a file that the driver reads next."""
import os
import tempfile
import time

import ray


@ray.remote(num_cpus=1)
def produce(path):
    time.sleep(1.0)
    with open(path, "w") as handle:
        handle.write("42")
    return 1


@ray.remote(num_cpus=1)
def consume(value):
    return value * 2


def run(path):
    value = ray.get(produce.remote(path))
    ref = consume.remote(value)
    try:
        with open(path) as handle:
            written = handle.read()
    except FileNotFoundError:
        written = "missing"
    return written, ray.get(ref)


def main():
    ray.init()
    with tempfile.TemporaryDirectory() as directory:
        print(run(os.path.join(directory, "out.txt")))


if __name__ == "__main__":
    main()
