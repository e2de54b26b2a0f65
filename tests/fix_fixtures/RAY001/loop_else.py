import ray


@ray.remote
def square(x):
    return x * x


def with_else(xs):
    out = []
    for x in xs:
        out.append(ray.get(square.remote(x)))
    else:
        # runs once the loop is done
        print("done", len(out))
    return out


def with_one_line_else(keys):
    table = {}
    for k in keys:
        table[k] = ray.get(square.remote(k))
    else: print("done")
    return table
