"""RAY105 trap: the producer's error is caught around the get; passing the ref moves it into the consumer,
where it escapes as an uncaught RayTaskError."""
import ray


@ray.remote(num_cpus=1)
def produce(x):
    if x == 2:
        raise ValueError("bad input")
    return x * 10


@ray.remote(num_cpus=1)
def consume(value):
    return value + 1


def run(x):
    try:
        value = ray.get(produce.remote(x))
        ref = consume.remote(value)
    except ValueError:
        return "skipped"
    return ray.get(ref)


def main():
    ray.init()
    print([run(x) for x in range(4)])


if __name__ == "__main__":
    main()
