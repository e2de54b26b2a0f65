"""Layouts a fix's plan must judge exactly as the builder does (tests/test_lazy_fixes.py)."""

import ray


@ray.remote
def double(x):
    return x * 2


def double_py(x):
    return x * 2


# Elements per `double_batch_2` task: a judgement; aim for 10-100 ms of work per task.
DOUBLE_CHUNK_SIZE = 10_000


@ray.remote
def double_batch_2(chunk):
    return [double_py(x) for x in chunk]


@ray.remote
def triple(x):
    return x * 3


def name_taken_in_the_function():
    # the batch task's usual name is a local here: the task gets another
    double_batch = "local"
    double_inputs = range(20_000)
    refs = [
        (double_batch_2.remote(double_inputs[start:start + DOUBLE_CHUNK_SIZE]))
        for start in range(0, len(double_inputs), DOUBLE_CHUNK_SIZE)
    ]
    return [result for chunk in ray.get(refs) for result in chunk], double_batch


def after_a_semicolon():
    n = 20_000; refs = [triple.remote(x) for x in range(n)]
    return ray.get(refs)
