import asyncio as aio
import os

import ray


@ray.remote(num_cpus=1)
def square(x):
    return x * x


async def append_loop(xs):
    out = []
    async for x in xs:
        out.append(ray.get(square.remote(x)))
    return out


async def comprehension(xs):
    return [ray.get(square.remote(x)) for x in xs]


async def fetch_each(xs):
    refs = [square.remote(x) for x in xs]
    total = 0
    for ref in refs:
        total += ray.get(ref)
    return total + len(os.sep)


async def gather(xs):
    await aio.sleep(0)
    return sum(ray.get([square.remote(x) for x in xs]))
