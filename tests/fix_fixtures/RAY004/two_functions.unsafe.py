import ray


@ray.remote
def double(x):
    return x * 2


def double_py(x):
    return x * 2


# Elements per `double_batch` task: a judgement; aim for 10-100 ms of work per task.
DOUBLE_CHUNK_SIZE = 10_000


@ray.remote
def double_batch(chunk):
    return [double_py(x) for x in chunk]


def evens():
    # `double_inputs` is local to each function: no numbering
    double_inputs = range(0, 40_000, 2)
    double_refs = [
        double_batch.remote(double_inputs[start:start + DOUBLE_CHUNK_SIZE])
        for start in range(0, len(double_inputs), DOUBLE_CHUNK_SIZE)
    ]
    return [result for chunk in ray.get(double_refs) for result in chunk]


def odds():
    double_inputs = range(1, 40_000, 2)
    double_refs = [
        double_batch.remote(double_inputs[start:start + DOUBLE_CHUNK_SIZE])
        for start in range(0, len(double_inputs), DOUBLE_CHUNK_SIZE)
    ]
    return [result for chunk in ray.get(double_refs) for result in chunk]


def single():
    # another use of the remote task: it stays, the batch task calls a plain copy
    return ray.get(double.remote(1))


if __name__ == "__main__":
    ray.init()
    print(sum(evens()), sum(odds()), single())
