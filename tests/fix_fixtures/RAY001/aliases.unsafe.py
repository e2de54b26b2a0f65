import ray as r
from ray import get as fetch


@r.remote
def load(path):
    return len(path)


def with_module_alias(paths):
    return r.get([load.remote(p) for p in paths])


def with_function_alias(paths):
    sizes = []
    sizes.extend(fetch([load.remote(p) for p in paths]))
    return sizes


def refs_with_function_alias(paths):
    refs = [load.remote(p) for p in paths]
    return fetch(list(refs))
