import ray


@ray.remote(num_cpus=1)
def square(x):
    return x * x


@ray.remote(num_cpus=1)
def total(refs):
    # a public task of a library: callers elsewhere would break, no fix
    return sum(ray.get(refs))


@ray.remote(num_cpus=1)
def _private_total(refs):
    return sum(ray.get(refs))


@ray.remote(num_cpus=1)
def _passed_around(refs):
    # used other than `.remote(...)`: no fix
    return sum(ray.get(refs))


def run(xs):
    refs = [square.remote(x) for x in xs]
    tasks = [_passed_around]
    return total.remote(refs), _private_total.remote(refs), tasks
