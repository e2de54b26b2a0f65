import ray

asyncio = "not the module"


@ray.remote(num_cpus=1)
def predict(x):
    return x * 2


@ray.remote(num_cpus=1)
class Gateway:
    async def many(self, xs):
        refs = [predict.remote(x) for x in xs]
        # `asyncio` names something else and cannot be imported: no fix
        return ray.get(refs)

    async def formatted(self, x):
        ref = predict.remote(x)
        return f"label: {ray.get(ref)}"
