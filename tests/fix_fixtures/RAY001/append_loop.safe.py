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
    out.extend(ray.get([square.options(num_cpus=1).remote(x) for x in xs]))
    return out


def one_line_loop(xs):
    out = list()
    out.extend(ray.get([square.remote(x) for x in xs]))
    return out


def tuple_target_and_iterable(a, b):
    out = deque()
    out.extend(ray.get([square.remote(i + x) for i, x in enumerate(a)]))
    out.extend(ray.get([square.remote(x) for x in (len(a), len(b))]))
    return out


def wait_for_each(stores, keys):
    ray.get([store.put.remote(k, 0) for k, store in zip(keys, stores)])


def loop_variable_reused_later(xs):
    out = []
    out.extend(ray.get([square.remote(x) for x in xs]))
    # `x` is bound again before it is read: the fix stays safe
    for x in out:
        print(x)
    return out


class Pipeline:
    def __init__(self):
        self.results = []

    def run(self, xs):
        self.results.extend(ray.get([square.remote(x) for x in xs]))


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
