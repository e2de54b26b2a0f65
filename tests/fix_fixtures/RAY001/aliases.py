import ray as r
from ray import get as fetch


@r.remote
def load(path):
    return len(path)


def with_module_alias(paths):
    return [r.get(load.remote(p)) for p in paths]


def with_function_alias(paths):
    sizes = []
    for p in paths:
        sizes.append(fetch(load.remote(p)))
    return sizes


def refs_with_function_alias(paths):
    refs = [load.remote(p) for p in paths]
    return [fetch(ref) for ref in refs]
