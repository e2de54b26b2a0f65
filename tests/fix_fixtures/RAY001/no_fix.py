import asyncio

import ray
from ray.exceptions import GetTimeoutError


@ray.remote
def square(x):
    return x * x


def with_print(xs):
    out = []
    for x in xs:
        result = ray.get(square.remote(x))
        print(x, result)
        out.append(result)
    return out


def with_timeout(xs):
    return [ray.get(square.remote(x), timeout=10) for x in xs]


def with_timeout_loop(xs):
    out = []
    for x in xs:
        out.append(ray.get(square.remote(x), timeout=10))
    return out


def with_break(xs):
    out = []
    for x in xs:
        out.append(ray.get(square.remote(x)))
        if out[-1] > 100:
            break
    return out


def with_try(xs):
    out = []
    for x in xs:
        try:
            out.append(ray.get(square.remote(x)))
        except GetTimeoutError:
            out.append(None)
    return out


def while_loop(xs):
    out = []
    pending = list(xs)
    while pending:
        out.append(ray.get(square.remote(pending.pop())))
    return out


async def in_a_coroutine(xs):
    out = []
    for x in xs:
        out.append(ray.get(square.remote(x)))
    await asyncio.sleep(0)
    return [ray.get(square.remote(x)) for x in xs] + out


class Table:
    offset = 1
    rows = []
    # a class body: a comprehension here cannot see `offset`
    for x in range(3):
        rows.append(ray.get(square.remote(x + offset)))
