import asyncio

import ray


@ray.remote(num_cpus=1)
def predict(x):
    return {"label": x * 2}


@ray.remote(num_cpus=1)
def pair(x):
    return x, x


@ray.remote(num_cpus=1)
class Gateway:
    async def one(self, x):
        ref = predict.remote(x)
        # one ref: awaited (safe)
        return await ref

    async def attribute(self, x):
        return (await predict.remote(x))["label"]

    async def many(self, xs):
        refs = [predict.remote(x) for x in xs]
        return await asyncio.gather(*refs)

    async def comprehension(self, xs):
        return await asyncio.gather(*[predict.remote(x) for x in xs])

    async def timeout(self, x):
        return await asyncio.wait_for(predict.remote(x), timeout=2.5)

    async def wait(self, xs):
        refs = [predict.remote(x) for x in xs]
        ready, _ = ray.wait(refs, num_returns=1)
        return ready

    async def several_returns(self, x):
        # `num_returns=2` gives a list of refs under one name: no fix
        refs = pair.options(num_returns=2).remote(x)
        return ray.get(refs)

    async def unknown(self, ref):
        # a parameter: one ref or a list? no fix
        return ray.get(ref)

    async def generator(self, xs):
        refs = [predict.remote(x) for x in xs]
        # `await` in a generator expression makes an async generator: no fix
        return list(ray.get(r) for r in refs)
