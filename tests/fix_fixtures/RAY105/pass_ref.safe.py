import ray


@ray.remote(num_cpus=1)
def load(path):
    return [path] * 3


@ray.remote(num_cpus=1)
def clean(rows, drop=0):
    return rows[drop:]


def named_ref(path):
    ref = load.remote(path)
    cleaned = clean.remote(ref, drop=1)
    return ray.get(cleaned)


def inline_ref(path):
    rows_ref = load.remote(path)
    first = clean.remote(rows=rows_ref)
    second = clean.options(num_cpus=2).remote(rows_ref, 1)
    return ray.get([first, second])


def taken_name(path, rows_ref):
    rows: list = ray.get(load.remote(path))  # the rows
    return clean.remote(rows), rows_ref


SHARED = load.remote("shared.csv")


def global_ref():
    rows = ray.get(SHARED)
    return clean.remote(rows)


def in_a_loop(paths):
    out = []
    for ref in [load.remote(p) for p in paths]:
        rows = ray.get(ref)
        out.append(clean.remote(rows))
    return out


def only_statement(paths):
    for ref in [load.remote(p) for p in paths]:
        print(ray.get(clean.remote(ref)))


def multiline(path):
    rows = ray.get(load.remote(
        path,
    ))
    return [clean.remote(rows, k) for k in range(3)]


module_rows = ray.get(load.remote("a.csv"))
print(ray.get(clean.remote(module_rows)))
