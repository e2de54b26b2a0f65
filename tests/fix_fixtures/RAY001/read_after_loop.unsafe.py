import ray


@ray.remote
def square(x):
    return x * x


def last_input(xs):
    out = []
    out.extend(ray.get([square.remote(x) for x in xs]))
    # `x` is read after the loop: the rewrite no longer binds it (unsafe)
    print("last input:", x)
    return out


def keyed_then_read(keys):
    table = {}
    table_refs = {k: square.remote(k) for k in keys}
    table.update(zip(table_refs, ray.get(list(table_refs.values()))))
    return table, k


def read_in_a_closure(xs):
    out = []
    out.extend(ray.get([square.remote(x) for x in xs]))

    def last():
        return x

    return out, last
