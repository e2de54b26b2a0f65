async def fetch(xs):
    import ray

    refs = [ray.put(x) for x in xs]
    # no import at the top of the module to put `import asyncio` next to: no fix
    return ray.get(refs)
