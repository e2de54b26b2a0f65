import ray


@ray.remote
def score(item):
    return len(item)


def list_of_refs(items):
    refs = [score.remote(i) for i in items]
    return [ray.get(r) for r in refs]


def generator_of_refs(items):
    refs = tuple(score.remote(i) for i in items)
    return sum(ray.get(r) for r in refs)


def set_of_results(items):
    refs = [score.remote(i) for i in items]
    return {ray.get(r) for r in refs}


def refs_passed_in(refs):
    return [ray.get(r) for r in refs if r is not None]


def by_index(items):
    refs = [score.remote(i) for i in items]
    out = []
    for i in range(len(refs)):
        out.append(ray.get(refs[i]))
    return out


def loop_over_refs(items):
    refs = [score.remote(i) for i in items]
    out = []
    for r in refs:
        out.append(ray.get(r))
    return out


def printed_one_by_one(items):
    refs = [score.remote(i) for i in items]
    # a print per result: no fix
    for r in refs:
        print(ray.get(r))
