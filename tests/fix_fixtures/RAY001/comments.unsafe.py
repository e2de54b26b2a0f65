import ray


@ray.remote
def square(x):
    return x * x


def loop_with_comments(xs):
    out = []
    # square every input
    # one task per input
    # wait for it
    out.extend(
        ray.get([square.remote(x) for x in xs])  # the result
    )  # appended in order
    return out


def comprehension_with_comments(xs):
    return ray.get([
        # one task per input
        square.remote(x)  # the result
        for x in xs  # every input
    ])


def refs_with_comments(xs):
    refs = [square.remote(x) for x in xs]
    # one round trip per ref
    # in submission order
    return ray.get(list(refs))
