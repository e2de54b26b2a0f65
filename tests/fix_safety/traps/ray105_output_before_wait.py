"""RAY105 trap: the get also orders the driver's output after the producer: when the producer fails,
the original stops before printing; passing the ref prints first and fails later."""
import ray
from ray.exceptions import RayTaskError


@ray.remote(num_cpus=1)
def produce(x):
    if x < 0:
        raise ValueError("negative")
    return x


@ray.remote(num_cpus=1)
def consume(value):
    return value * 3


def run(x):
    value = ray.get(produce.remote(x))
    ref = consume.remote(value)
    print("submitted", x)
    return ray.get(ref)


def main():
    ray.init()
    for x in (2, -1):
        try:
            print("result", run(x))
        except RayTaskError:
            print("failed", x)


if __name__ == "__main__":
    main()
