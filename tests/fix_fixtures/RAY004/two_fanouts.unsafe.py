import ray


def double_py(x):
    return x * 2


# Elements per `double_batch` task: a judgement; aim for 10-100 ms of work per task.
DOUBLE_CHUNK_SIZE = 10_000


@ray.remote
def double_batch(chunk):
    return [double_py(x) for x in chunk]


ray.init()
double_inputs = range(0, 40_000, 2)
evens = [
    double_batch.remote(double_inputs[start:start + DOUBLE_CHUNK_SIZE])
    for start in range(0, len(double_inputs), DOUBLE_CHUNK_SIZE)
]
double_inputs_2 = range(1, 40_000, 2)
odds = [
    double_batch.remote(double_inputs_2[start:start + DOUBLE_CHUNK_SIZE])
    for start in range(0, len(double_inputs_2), DOUBLE_CHUNK_SIZE)
]
print(sum([result for chunk in ray.get(evens) for result in chunk]), sum([result for chunk in ray.get(odds) for result in chunk]))
