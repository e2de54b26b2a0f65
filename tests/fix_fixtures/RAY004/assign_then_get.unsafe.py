import ray

NUM_TASKS = 20_000


def double(x):
    """Twice the input."""
    return x * 2


# Elements per `double_batch` task: a judgement; aim for 10-100 ms of work per task.
DOUBLE_CHUNK_SIZE = 10_000


@ray.remote(num_cpus=1)
def double_batch(chunk):
    return [double(x) for x in chunk]


def main():
    ray.init()
    # one task per element: each costs ~1 ms of overhead for a multiplication
    double_inputs = range(NUM_TASKS)
    refs = [
        double_batch.remote(double_inputs[start:start + DOUBLE_CHUNK_SIZE])
        for start in range(0, len(double_inputs), DOUBLE_CHUNK_SIZE)
    ]
    return sum([result for chunk in ray.get(refs) for result in chunk])


if __name__ == "__main__":
    print(main())
