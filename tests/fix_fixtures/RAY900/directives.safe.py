# fixture-select: RAY001, RAY003
import ray


@ray.remote(num_cpus=1)
def square(x):
    return x * x


def still_needed(refs):
    for ref in refs:
        print(ray.get(ref))  # noqa: RAY001


def only_code(xs):
    return ray.get([square.remote(x) for x in xs])


def other_tool_code_kept(xs):
    return ray.get([square.remote(x) for x in xs])  # noqa: F401


def used_code_kept(refs):
    for ref in refs:
        print(ray.get(ref))  # noqa: RAY001


def later_comment_kept(xs):
    return ray.get([square.remote(x) for x in xs])  # type: ignore


def reason_kept(xs):
    return ray.get([square.remote(x) for x in xs])  # batched already


def earlier_comment_kept(xs):
    return ray.get([square.remote(x) for x in xs])  # see #42


def own_line_removed(xs):
    return xs
