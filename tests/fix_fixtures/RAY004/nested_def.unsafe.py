import ray as r


def pipeline(scale):
    # a task defined inside the function that fans it out
    def mul(x, k=2):
        return x * k

    # Elements per `mul_batch` task: a judgement; aim for 10-100 ms of work per task.
    MUL_CHUNK_SIZE = 10_000

    @r.remote(
        num_cpus=0.5,  # light
        max_retries=0,
    )
    def mul_batch(chunk, *args, **kwargs):
        return [mul(x, *args, **kwargs) for x in chunk]

    out = []
    print("starting")
    mul_inputs = range(50_000)
    for start in range(0, len(mul_inputs), MUL_CHUNK_SIZE):
        out.append(mul_batch.remote(mul_inputs[start:start + MUL_CHUNK_SIZE], k=scale))
    evens = [x for x in range(10) if x % 2]
    return [result for chunk in r.get(out) for result in chunk], evens
