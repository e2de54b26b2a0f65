import ray


@ray.remote
def square(x):
    return x * x


def with_else(xs):
    out = []
    out.extend(ray.get([square.remote(x) for x in xs]))
    # runs once the loop is done
    print("done", len(out))
    return out


def with_one_line_else(keys):
    table = {}
    table_refs = {k: square.remote(k) for k in keys}
    table.update(zip(table_refs, ray.get(list(table_refs.values()))))
    print("done")
    return table
