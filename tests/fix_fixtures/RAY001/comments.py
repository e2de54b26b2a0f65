import ray


@ray.remote
def square(x):
    return x * x


def loop_with_comments(xs):
    out = []
    # square every input
    for x in xs:  # one task per input
        # wait for it
        out.append(
            ray.get(square.remote(x))  # the result
        )  # appended in order
    return out


def comprehension_with_comments(xs):
    return [
        # one task per input
        ray.get(square.remote(x))  # the result
        for x in xs  # every input
    ]


def refs_with_comments(xs):
    refs = [square.remote(x) for x in xs]
    return [
        ray.get(r)  # one round trip per ref
        for r in refs  # in submission order
    ]
