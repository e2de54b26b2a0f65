import ray


@ray.remote
def square(x):
    return x * x


def last_input(xs):
    out = []
    for x in xs:
        out.append(ray.get(square.remote(x)))
    # `x` is read after the loop: the rewrite no longer binds it (unsafe)
    print("last input:", x)
    return out


def keyed_then_read(keys):
    table = {}
    for k in keys:
        table[k] = ray.get(square.remote(k))
    return table, k


def read_in_a_closure(xs):
    out = []
    for x in xs:
        out.append(ray.get(square.remote(x)))

    def last():
        return x

    return out, last
