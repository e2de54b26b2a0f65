from collections import defaultdict

import ray


@ray.remote
def train(lr, depth):
    return lr * depth


def grid_search(lrs, depth):
    scores = {}
    scores_refs = {lr: train.remote(lr, depth) for lr in lrs}
    scores.update(zip(scores_refs, ray.get(list(scores_refs.values()))))
    return scores


def two_dimensional(lrs, depths):
    scores = defaultdict(float)
    scores_refs = {(lr, depth): train.remote(lr, depth) for lr, depth in zip(lrs, depths)}
    scores.update(zip(scores_refs, ray.get(list(scores_refs.values()))))
    return scores


def pending_refs(configs):
    pending = {name: train.remote(*config) for name, config in configs.items()}
    results = dict()
    # `results_refs` is taken: the dict of refs gets another name
    results_refs = None
    for name, ref in pending.items():
        results[name] = ray.get(ref)
    return results, results_refs


def unknown_mapping(results, lrs):
    # `results` is a parameter: it may not be a dict (unsafe)
    for lr in lrs:
        results[lr] = ray.get(train.remote(lr, 2))


def computed_key(models):
    results_by_name = {}
    # the key is now computed before the task is submitted (unsafe)
    for model in models:
        results_by_name[model.name] = ray.get(train.remote(model.lr, model.depth))
    return results_by_name


def list_slots(n):
    out = [None] * n
    # `out` is a list: `update` would not work, no fix
    for i in range(n):
        out[i] = ray.get(train.remote(i, 1))
    return out
