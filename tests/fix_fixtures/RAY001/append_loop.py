from collections import deque

import ray


@ray.remote
def square(x):
    return x * x


@ray.remote
class Store:
    def __init__(self):
        self.data = {}

    def put(self, key, value):
        self.data[key] = value


def append_results(xs):
    out = []
    for x in xs:
        out.append(ray.get(square.options(num_cpus=1).remote(x)))
    return out


def one_line_loop(xs):
    out = list()
    for x in xs: out.append(ray.get(square.remote(x)))
    return out


def tuple_target_and_iterable(a, b):
    out = deque()
    for i, x in enumerate(a):
        out.append(ray.get(square.remote(i + x)))
    for x in len(a), len(b):
        out.append(ray.get(square.remote(x)))
    return out


def wait_for_each(stores, keys):
    for k, store in zip(keys, stores):
        ray.get(store.put.remote(k, 0))


def loop_variable_reused_later(xs):
    out = []
    for x in xs:
        out.append(ray.get(square.remote(x)))
    # `x` is bound again before it is read: the fix stays safe
    for x in out:
        print(x)
    return out


class Pipeline:
    def __init__(self):
        self.results = []

    def run(self, xs):
        for x in xs:
            self.results.append(ray.get(square.remote(x)))


def unknown_container(out, xs):
    # `out` is a parameter: it may not be a list (unsafe)
    for x in xs:
        out.append(ray.get(square.remote(x)))


def reads_the_container(xs):
    out = [0]
    # each task needs the list as it grows: no fix
    for x in xs:
        out.append(ray.get(square.remote(x + len(out))))
    return out
