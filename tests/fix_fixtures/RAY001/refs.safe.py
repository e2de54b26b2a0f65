import ray


@ray.remote
def score(item):
    return len(item)


def list_of_refs(items):
    refs = [score.remote(i) for i in items]
    return ray.get(list(refs))


def generator_of_refs(items):
    refs = tuple(score.remote(i) for i in items)
    return sum(ray.get(list(refs)))


def set_of_results(items):
    refs = [score.remote(i) for i in items]
    return set(ray.get(list(refs)))


def refs_passed_in(refs):
    return [ray.get(r) for r in refs if r is not None]


def by_index(items):
    refs = [score.remote(i) for i in items]
    out = []
    out.extend(ray.get([refs[i] for i in range(len(refs))]))
    return out


def loop_over_refs(items):
    refs = [score.remote(i) for i in items]
    out = []
    out.extend(ray.get(list(refs)))
    return out


def printed_one_by_one(items):
    refs = [score.remote(i) for i in items]
    # a print per result: no fix
    for r in refs:
        print(ray.get(r))
