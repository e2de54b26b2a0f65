import ray


@ray.remote(num_cpus=1)
def load(path):
    return [path] * 3


@ray.remote(num_cpus=1)
def clean(rows, drop=0):
    return rows[drop:]


def shares_its_line(path):
    # two statements on one line: no fix
    rows = ray.get(load.remote(path)); ref = clean.remote(rows)
    return ref
